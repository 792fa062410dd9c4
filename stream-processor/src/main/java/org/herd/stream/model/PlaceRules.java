package org.herd.stream.model;

/** What makes a place acceptable: an id without white space, a name, and a valid position. */
public final class PlaceRules {
    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_NAME_LENGTH = 512;

    private PlaceRules() {
    }

    public static boolean isValid(Place p) {
        return p != null && isValidId(p.id()) && p.name() != null && !p.name().isBlank()
                && p.name().length() <= MAX_NAME_LENGTH
                && Math.abs(p.lat()) <= 90 && Math.abs(p.lng()) <= 180;
    }

    public static boolean isValidId(String id) {
        return id != null && !id.isEmpty() && id.length() <= MAX_ID_LENGTH
                && id.codePoints().noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
    }
}
