package org.herd.node.protocol;

/** The line protocol's documented limits (docs/protocol.md). */
public final class LineLimits {
    /** Longest line accepted, in bytes, not counting its line ending. */
    public static final int MAX_LINE_BYTES = 4096;
    /** Longest client id, in characters. */
    public static final int MAX_CLIENT_ID_CHARS = 256;
    /** WHATSAT radius bounds, in kilometres: greater than 0, at most 50. */
    public static final double MAX_RADIUS_KM = 50;
    /** WHATSAT result count bounds. */
    public static final int MIN_RESULTS = 1;
    public static final int MAX_RESULTS = 20;

    private LineLimits() {
    }
}
