package org.herd.stream.fence;

import java.time.Duration;

/**
 * Whether a member's detector has put off the commit that would make its events readable (an
 * update with events came within the commit gap of the last one, see {@link FenceDetector}).
 * Streams runs the punctuator that commits them only between polls, and an idle member's poll
 * waits up to {@code poll.ms} (100 ms): while a commit is put off, the member's consumer polls
 * for at most the gap instead, so that the events wait about the gap, not a whole poll.
 */
public final class DeferredCommits {
    private final Duration gap;
    private volatile boolean pending;

    public DeferredCommits(Duration gap) {
        this.gap = gap;
    }

    public Duration gap() {
        return gap;
    }

    void deferred() {
        pending = true;
    }

    void requested() {
        pending = false;
    }

    /** {@code timeout}, or the gap if that is shorter and a commit is put off. */
    public Duration pollTimeout(Duration timeout) {
        return pending && timeout.compareTo(gap) > 0 ? gap : timeout;
    }
}
