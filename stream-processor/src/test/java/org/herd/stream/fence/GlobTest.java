package org.herd.stream.fence;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class GlobTest {
    /** The glob's meaning, written the obvious way (exponential, fine for short strings). */
    private static boolean oracle(int[] g, int gi, int[] s, int si) {
        if (gi == g.length) {
            return si == s.length;
        }
        if (g[gi] == '*') {
            for (int k = si; k <= s.length; k++) {
                if (oracle(g, gi + 1, s, k)) {
                    return true;
                }
            }
            return false;
        }
        return si < s.length && (g[gi] == '?' || g[gi] == s[si]) && oracle(g, gi + 1, s, si + 1);
    }

    private static String random(Random r, String alphabet, int max) {
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    @Test
    void agreesWithTheObviousMatcherOnHundredsOfThousandsOfPairs() {
        Random r = new Random(7);
        for (int i = 0; i < 300_000; i++) {
            String glob = random(r, "ab*?", 7);
            String id = random(r, "ab", 9);
            assertThat(Glob.of(glob).matches(id)).as("%s against %s", glob, id)
                    .isEqualTo(oracle(glob.codePoints().toArray(), 0, id.codePoints().toArray(), 0));
        }
    }

    @Test
    void countsCodePointsNotCharsAndTreatsEverythingElseLiterally() {
        assertThat(Glob.of("?").matches("\uD83D\uDE9A")).isTrue(); // one code point, two chars
        assertThat(Glob.of("??").matches("\uD83D\uDE9A")).isFalse();
        assertThat(Glob.of("a.b").matches("axb")).isFalse();
        assertThat(Glob.of("[x]*\\d").matches("[x]yz\\d")).isTrue();
        assertThat(Glob.of("").matches("")).isTrue();
        assertThat(Glob.of("*").matches("")).isTrue();
        assertThat(Glob.of("ab*ab").matches("ab")).isFalse(); // the first and last pieces may not overlap
    }

    /** The glob that took a regex seconds per update, and longer with more stars (issue 22). */
    @Test
    void aGlobOfManyStarsAgainstALongIdIsAnsweredAtOnce() {
        String glob = "*a".repeat(60) + "*b";
        String id = "a".repeat(256);
        // a regex of this glob backtracks for longer than the universe has lasted; this returns in microseconds
        boolean matched = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> Glob.of(glob).matches(id));
        assertThat(matched).isFalse();
        assertThat(Glob.of(glob).matches("a".repeat(255) + "b")).isTrue();
    }
}
