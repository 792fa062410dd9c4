package org.herd.bench;

/** For profiling, not in the default phases: IAMATs open-loop alone at {@code --ingest-open-rate}. */
final class IngestOpenPhase implements Phase {
    private final BenchRun run;

    IngestOpenPhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "ingest-open";
    }

    @Override
    public void run() throws Exception {
        if (run.ingestOpenRate > 0) {
            run.settle();
            new IngestPhase(run).ingestOpenLoop(run.ingestOpenRate);
        }
    }
}
