package org.herd.bench;

import java.util.concurrent.TimeUnit;

/** Ingest with and without 10,000 fences, and fence event delivery with them. */
final class FencesPhase implements Phase {
    private final BenchRun run;

    FencesPhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "fences";
    }

    @Override
    public void run() throws Exception {
        fences(10_000);
    }

    /**
     * Fences: the same pipelined ingest (clients jumping around a 10 x 10 degree square) without
     * fences and then with {@code count} fences (circles of 1-5 km and squares of about 5 km,
     * half each) over that square, CPU per update of every herd process and the broker (the
     * derivation's included); then the time from sending an IAMAT to its event arriving at a
     * Server-Sent Events subscriber at another node, against Kafka's own end-to-end latency, in
     * the same run. The fences are deleted afterwards.
     */
    void fences(int count) throws Exception {
        run.settle();
        // unmeasured: the clients' first positions in the square (new keys in every store) cost more than the moves measured
        Load first = run.loads.ingestLoad(run.nodes.size(), null, FenceMeasures::inSquare);
        System.out.printf("ingest, clients in the square for the first time (unmeasured): %,.0f AT/s%n", first.rate());
        run.settle();
        IngestRun noFences = run.fenceMeasures.measureIngestWhere("fencesWithout", "ingest, clients in the square, no fences");
        long t0 = System.nanoTime();
        run.fenceMeasures.putFences(count, false);
        for (String n : run.running) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (run.status(n).has("derivation") && run.status(n).path("derivation").path("fences").asInt() < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(n + "'s derivation does not hold the fences");
                }
                Thread.sleep(200); // polling the node's status
            }
        }
        System.out.printf("%,d fences stored and held by every derivation member in %.1f s%n", count, (System.nanoTime() - t0) / 1e9);
        run.settle();
        IngestRun with = run.fenceMeasures.measureIngestWhere("fencesWith", "ingest, clients in the square, " + count + " fences");
        run.row("IAMAT ingest with " + BenchRun.fmt(count) + " fences against none (clients jumping in a 10 x 10 degree square): updates/s; CPU µs per update, herd and broker, until the derivation has judged them",
                BenchRun.fmt(with.load().rate()) + "; " + with.herdCpu(), BenchRun.fmt(noFences.load().rate()) + "; " + noFences.herdCpu() + " (no fences)",
                String.format("rate %s, CPU %.2fx", BenchRun.pct(with.load().rate() / noFences.load().rate()), (double) with.herdCpu() / noFences.herdCpu()));
        run.row("the derivation (exactly once, over the five nodes) done with the updates of that ingest: seconds after it ended",
                String.format("%.1f", with.behind()), String.format("%.1f (no fences)", noFences.behind()), "");
        run.settle();
        run.fenceMeasures.eventLatency("fence event delivery, IAMAT sent to its SSE event at another node, " + BenchRun.fmt(count) + " fences: p50 / p99 / max (ms)");
        run.fenceMeasures.putFences(count, true);
    }
}
