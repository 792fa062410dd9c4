package org.herd.bench;

import java.util.List;

/** The herd's core job with each of {@code --core-fences} fence counts (issue 21). */
final class CorePhase implements Phase {
    private final BenchRun run;

    CorePhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "core";
    }

    @Override
    public void run() throws Exception {
        core(run.coreFences);
    }

    /**
     * The herd's core job and what fences cost it (issue 21): for each fence count, the idle
     * herd's CPU, one client's IAMAT against Kafka's produce-and-consume, and ten classic clients
     * against the plain-Kafka five-process floor, each baseline in the same minute.
     */
    void core(List<Integer> fenceCounts) throws Exception {
        int held = 0;
        for (int count : fenceCounts) {
            if (count != held) {
                run.fenceMeasures.putFences(Math.max(count, held), count < held);
                run.fenceMeasures.awaitDerivationHolds(count);
                held = count;
            }
            run.coreContext = ", " + BenchRun.fmt(count) + " fences";
            run.settle();
            // the derivation's members, input held while no fence exists, drain what came meanwhile every
            // fences.derivation.idle.drain.ms: work put off from the warm-up's ingest, not what an idle herd costs
            System.out.printf("(derivation caught up after %.1f s)%n", run.fenceMeasures.derivationCatchUpSeconds());
            run.settle();
            run.clientMeasures.idleCpu();
            run.settle();
            run.clientMeasures.iamatLatency(2000);
            run.settle();
            run.clientMeasures.classicClients(10);
            if (!run.noBaseline) {
                run.settle();
                run.clientMeasures.kafkaFloor(run.nodes.size(), 2);
            }
        }
        run.coreContext = "";
        if (held > 0) {
            run.fenceMeasures.putFences(held, true);
        }
    }
}
