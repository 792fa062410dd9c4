package org.herd.stream;

import java.math.BigDecimal;

/** What makes a location record acceptable to the store (the line parser enforces the same). */
public final class LocationRules {
    private LocationRules() {
    }

    /** Longest client id, in characters (code points), as the line protocol takes it. */
    public static final int MAX_CLIENT_ID_CHARS = 256;

    /**
     * A client id as the line protocol takes it (its LineParser applies the same rule): 1 to 256
     * characters, no white space, space or control characters. Keys outside it (a producer's bad
     * key, or one in the stores' bookkeeping space, which starts with a space) are skipped.
     */
    public static boolean isValidClientId(String id) {
        return id != null && !id.isEmpty() && id.codePointCount(0, id.length()) <= MAX_CLIENT_ID_CHARS
                && id.codePoints().noneMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c)
                || Character.isSpaceChar(c) || c == 0xFEFF);
    }

    public static boolean isValid(Location l) {
        if (l == null || l.client() == null || l.client().isEmpty() || l.at() == null
                || l.clientTime() == null || l.location() == null || l.node() == null) {
            return false;
        }
        if (!(Math.abs(l.lat()) <= 90) || !(Math.abs(l.lng()) <= 180)) {
            return false;
        }
        try {
            new BigDecimal(l.clientTime());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
