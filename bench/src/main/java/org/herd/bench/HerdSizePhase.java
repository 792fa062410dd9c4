package org.herd.bench;

import java.util.List;

/** Ingest with smaller herds (the other nodes stopped meanwhile), largest first. */
final class HerdSizePhase implements Phase {
    private final BenchRun run;

    HerdSizePhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "herd-size";
    }

    @Override
    public void run() throws Exception {
        // largest first: the nodes measured are never ones just restarted (cold JIT)
        List<Integer> sizes = run.herdSizes.stream().filter(k -> k >= 1 && k < run.nodes.size()).distinct()
                .sorted(java.util.Comparator.reverseOrder()).toList();
        for (int k : sizes) {
            ingestWithSmallerHerd(k);
        }
        if (!sizes.isEmpty()) {
            run.loads.warmUp(false); // the restarted nodes, before the phases after this one
        }
    }

    /**
     * Ingest with a herd of {@code k} nodes: the others are stopped (nodes never talk to each other,
     * so the first {@code k} are then a whole herd), then started again and caught up. Shows what
     * each further replica costs on this machine.
     */
    void ingestWithSmallerHerd(int k) throws Exception {
        List<String> stopped = run.keepOnly(k);
        try {
            run.settle();
            IngestRun measured = run.loads.measureIngest(k, "ingestHerdOf" + k, "ingest with a herd of " + k + " node(s)");
            run.row("IAMAT ingest, herd of " + k + " node" + (k > 1 ? "s" : "") + " (the others stopped): updates/s; CPU µs per update, herd and broker",
                    BenchRun.fmt(measured.load().rate()) + "; " + measured.herdCpu(),
                    Double.isNaN(run.baselineRate) ? "" : String.format("%s; %d", BenchRun.fmt(run.baselineRate), run.baselineCpuMicros),
                    Double.isNaN(run.baselineRate) ? "" : BenchRun.pct(measured.load().rate() / run.baselineRate));
        } finally {
            run.restart(stopped);
        }
    }
}
