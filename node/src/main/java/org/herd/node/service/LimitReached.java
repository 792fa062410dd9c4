package org.herd.node.service;

/** A request that would pass a configured limit that waiting does not lift (the caller must free room first). */
public final class LimitReached extends RuntimeException {
    public LimitReached(String reason) {
        super(reason, null, false, false);
    }

    /** The {@link LimitReached} that {@code error} is or wraps, or null. */
    public static LimitReached in(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof LimitReached l) {
                return l;
            }
        }
        return null;
    }
}
