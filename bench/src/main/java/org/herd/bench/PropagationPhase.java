package org.herd.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** An IAMAT at one node until WHATSATs at the others show it, idle and under ingest load. */
final class PropagationPhase implements Phase {
    private final BenchRun run;

    PropagationPhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "propagation";
    }

    @Override
    public void run() throws Exception {
        run.settle();
        Histogram kafkaE2e = run.loads.kafkaEndToEnd(1000);
        Histogram idle = propagation(300, false);
        Histogram loaded = propagation(300, true);
        run.row("propagation idle, AT to visible at another node: p50 / p99 / max (ms); reads answered stale",
                BenchRun.pcts(idle) + "; " + run.results.get("propagationIdleStale"),
                BenchRun.pcts(kafkaE2e) + " (end-to-end)", String.format("p99 %.1fx", (double) idle.getValueAtPercentile(99) / kafkaE2e.getValueAtPercentile(99)));
        run.row("propagation under ingest load: p50 / p99 / max (ms); reads answered stale", BenchRun.pcts(loaded) + "; " + run.results.get("propagationUnderLoadStale"), "", "");
    }

    /** An IAMAT at one node, then a WHATSAT at each other node: time from the AT to each answer showing it. */
    Histogram propagation(int samples, boolean underLoad) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        if (underLoad) {
            run.loads.ingestLoad(run.nodes.size(), stop);
            Thread.sleep(2000); // let the background load settle
        }
        Histogram h = new Histogram(3);
        int stale = 0;
        List<org.herd.bench.LineConn> readers = new ArrayList<>();
        for (String n : run.nodes) {
            readers.add(new LineConn(run.config.tcpPort(n)));
        }
        try {
            for (int i = 0; i < samples; i++) {
                int w = i % run.nodes.size();
                // unique per run: an equal client time would (rightly) leave an older run's update in place
                String client = "prop-" + BenchRun.RUN + (underLoad ? "-l-" : "-i-") + i;
                String at = readers.get(w).ask("IAMAT " + client + " +1.000000+1.000000 " + ((BenchRun.T0 - 50_000_000L) + i));
                long t0 = System.nanoTime();
                for (int r = 0; r < run.nodes.size(); r++) {
                    if (r != w) {
                        readers.get(r).send("WHATSAT " + client + " 1 1");
                    }
                }
                for (int r = 0; r < run.nodes.size(); r++) {
                    if (r != w) {
                        String reply = readers.get(r).readReply();
                        if (!reply.startsWith(at)) {
                            // answered from local state after read.freshness.timeout.ms (a stale read, counted by
                            // the node too): the documented outcome when a replica cannot catch up in time
                            stale++;
                        }
                        h.recordValue((System.nanoTime() - t0) / 1000);
                    }
                }
            }
        } finally {
            stop.set(true);
            for (Thread t : run.background) {
                t.join(); // the next phase must not share the machine with this load
            }
            run.background.clear();
            for (LineConn c : readers) {
                c.close();
            }
        }
        run.results.put(underLoad ? "propagationUnderLoadMs" : "propagationIdleMs", BenchRun.latencyMap(h));
        run.results.put(underLoad ? "propagationUnderLoadStale" : "propagationIdleStale", stale);
        System.out.printf("propagation %s: %s ms; %d stale reads of %d%n", underLoad ? "under load" : "idle", BenchRun.pcts(h), stale,
                h.getTotalCount());
        return h;
    }
}
