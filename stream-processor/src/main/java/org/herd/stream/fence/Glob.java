package org.herd.stream.fence;

import java.util.ArrayList;
import java.util.List;

/**
 * A fence's client-id glob: {@code *} matches any run of characters (code points), {@code ?}
 * exactly one; nothing else is special. Matched without backtracking: the glob is cut at its
 * stars into pieces, the first must start the id, the last must end it, and each piece between
 * is taken at its leftmost place after the one before (leftmost is always safe: a later place
 * leaves less room for the rest). At most (id length x glob length) comparisons, whatever the
 * glob: a regex of {@code *a*a*a*b} backtracks exponentially on a long id of a's.
 */
public final class Glob {
    private final String text;
    /** The pieces between stars, as code points; one piece when the glob has no star. */
    private final int[][] pieces;
    private final boolean star;

    private Glob(String text) {
        this.text = text;
        List<int[]> parts = new ArrayList<>();
        List<Integer> piece = new ArrayList<>();
        text.codePoints().forEach(c -> {
            if (c == '*') {
                parts.add(piece.stream().mapToInt(Integer::intValue).toArray());
                piece.clear();
            } else {
                piece.add(c);
            }
        });
        parts.add(piece.stream().mapToInt(Integer::intValue).toArray());
        this.pieces = parts.toArray(int[][]::new);
        this.star = pieces.length > 1;
    }

    public static Glob of(String glob) {
        return new Glob(glob);
    }

    public boolean matches(String id) {
        int[] s = id.codePoints().toArray();
        int[] first = pieces[0];
        if (!star) {
            return s.length == first.length && at(s, 0, first);
        }
        int[] last = pieces[pieces.length - 1];
        if (s.length < first.length + last.length || !at(s, 0, first) || !at(s, s.length - last.length, last)) {
            return false;
        }
        int from = first.length;
        int end = s.length - last.length;
        for (int p = 1; p < pieces.length - 1; p++) {
            int[] piece = pieces[p];
            int found = -1;
            for (int i = from; i + piece.length <= end; i++) {
                if (at(s, i, piece)) {
                    found = i;
                    break;
                }
            }
            if (found < 0) {
                return false;
            }
            from = found + piece.length;
        }
        return true;
    }

    private static boolean at(int[] s, int offset, int[] piece) {
        for (int i = 0; i < piece.length; i++) {
            if (piece[i] != '?' && piece[i] != s[offset + i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
