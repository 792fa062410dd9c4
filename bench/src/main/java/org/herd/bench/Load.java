package org.herd.bench;

import org.HdrHistogram.Histogram;

/** What one load run did. */
record Load(long ok, long errors, double seconds, Histogram latency) {
    double rate() {
        return ok / seconds;
    }
}
