package org.herd.stream.fence;

import java.util.regex.Pattern;

/** Client-id globs of fences: {@code *} matches any run of characters, {@code ?} exactly one; nothing else is special. */
public final class Globs {
    private Globs() {
    }

    public static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        glob.codePoints().forEach(c -> {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.appendCodePoint(c);
            }
        });
        if (!literal.isEmpty()) {
            re.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
