package org.herd.node.service;

/**
 * A request refused at once because a configured limit is reached (docs/reliability.md): the
 * client may retry later. The line protocol answers {@code ERROR busy <reason>}, HTTP 503 with
 * {@code Retry-After}.
 */
public final class Busy extends RuntimeException {
    public Busy(String reason) {
        super(reason, null, false, false);
    }

    /** Whether {@code error}, or what it wraps, is a {@link Busy}. */
    public static boolean is(Throwable error) {
        return message(error) != null;
    }

    /** The reason of the {@link Busy} in {@code error}'s causes; null if there is none. */
    public static String message(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof Busy) {
                return t.getMessage();
            }
        }
        return null;
    }
}
