package org.herd.bench;

import java.util.Map;

/** One measured ingest run and the CPU each process spent per acknowledged update. */
record IngestRun(Load load, Map<String, Long> cpuPerUpdate, double behind) {
    IngestRun(Load load, Map<String, Long> cpuPerUpdate) {
        this(load, cpuPerUpdate, 0);
    }

    /** Herd processes and broker, without the load generator. */
    long herdCpu() {
        return BenchRun.sum(cpuPerUpdate) - cpuPerUpdate.getOrDefault("bench", 0L);
    }
}
