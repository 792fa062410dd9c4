package org.herd.bench;

import java.util.List;

/** Classic clients (a connection per IAMAT): 1, 10 and 50 at once, then the plain-Kafka floor. */
final class ClassicPhase implements Phase {
    private final BenchRun run;

    ClassicPhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "classic";
    }

    @Override
    public void run() throws Exception {
        for (int n : List.of(1, 10, 50)) {
            run.settle();
            run.clientMeasures.classicClients(n);
        }
        if (!run.noBaseline) {
            run.settle();
            run.clientMeasures.kafkaFloor(run.nodes.size(), 2);
        }
    }
}
