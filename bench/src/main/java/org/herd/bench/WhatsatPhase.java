package org.herd.bench;

import org.HdrHistogram.Histogram;

import java.util.Map;

/** WHATSAT at one node: open-loop at {@code --whatsat-rate}, then as fast as it goes. */
final class WhatsatPhase implements Phase {
    private final BenchRun run;

    WhatsatPhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "whatsat";
    }

    @Override
    public void run() throws Exception {
        whatsat();
    }

    /** WHATSAT on one node: an open-loop run at a fixed rate, then as fast as it goes. */
    void whatsat() throws Exception {
        for (boolean fixedRate : new boolean[] {true, false}) {
            run.settle();
            Map<String, Long> cpu0 = run.cpu.snapshot();
            Load load = fixedRate ? run.loads.whatsatOpenLoop() : run.loads.whatsatClosedLoop();
            Map<String, Long> perQuery = run.cpuPerOp(cpu0, load.ok() + load.errors());
            double rate = (load.ok() + load.errors()) / load.seconds();
            Histogram h = load.latency();
            String key = fixedRate ? "whatsatAt" + run.whatsatRate : "whatsatMax";
            run.results.put(key + "PerSecond", Math.round(rate));
            run.results.put(key + "LatencyMs", BenchRun.latencyMap(h));
            run.results.put(key + "Unknown", load.errors());
            run.results.put(key + "CpuMicrosPerQuery", perQuery);
            System.out.printf("WHATSAT %s: %,.0f/s (%d not known), latency %s ms; CPU µs per query %s%n",
                    fixedRate ? "at " + run.whatsatRate + "/s" : "max", rate, load.errors(), BenchRun.pcts(h), perQuery);
            run.row(fixedRate ? "WHATSAT at " + run.whatsatRate + "/s offered, one node: achieved/s, p50 / p99 / max (ms)"
                            : "WHATSAT as fast as it goes, one node: queries/s, p50 / p99 / max (ms)",
                    BenchRun.fmt(rate) + "; " + BenchRun.pcts(h), "", "");
            run.row("CPU per WHATSAT " + (fixedRate ? "at " + run.whatsatRate + "/s" : "as fast as it goes")
                            + ": node / broker / load generator (µs)",
                    perQuery.getOrDefault(run.nodes.get(0), 0L) + " / " + perQuery.getOrDefault("broker", 0L) + " / "
                            + perQuery.getOrDefault("bench", 0L), "", "");
        }
    }
}
