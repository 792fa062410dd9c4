package org.herd.bench;

/** For profiling, not in the default phases: fence event delivery alone. */
final class FenceLatencyPhase implements Phase {
    private final BenchRun run;

    FenceLatencyPhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "fence-latency";
    }

    @Override
    public void run() throws Exception {
        run.settle();
        run.fenceMeasures.eventLatency("fence event delivery alone, IAMAT to SSE event: p50 / p99 / max (ms)");
    }
}
