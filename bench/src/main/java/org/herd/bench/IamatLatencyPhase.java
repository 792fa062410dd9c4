package org.herd.bench;

/** One client's IAMATs, one at a time, against Kafka's produce-and-consume. */
final class IamatLatencyPhase implements Phase {
    private final BenchRun run;

    IamatLatencyPhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "iamat-latency";
    }

    @Override
    public void run() throws Exception {
        run.settle();
        run.clientMeasures.iamatLatency(2000);
    }
}
