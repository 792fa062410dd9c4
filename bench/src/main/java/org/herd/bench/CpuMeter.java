package org.herd.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time used by each process of the herd (from {@code run/pids/<name>.pid}) and by the
 * benchmark itself. On a shared machine, CPU time per operation is steadier than throughput:
 * it does not depend on what else ran at the same time.
 */
final class CpuMeter {
    private final Path pidDir;
    private final List<String> names;

    CpuMeter(Path pidDir, List<String> names) {
        this.pidDir = pidDir;
        this.names = names;
    }

    /** CPU nanoseconds so far, by process name; "bench" is this JVM. Processes not found are left out. */
    Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String name : names) {
            try {
                long pid = Long.parseLong(Files.readString(pidDir.resolve(name + ".pid")).trim());
                ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration())
                        .ifPresent(d -> m.put(name, d.toNanos()));
            } catch (IOException | NumberFormatException e) {
                // not running here: no figure
            }
        }
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            m.put("bench", sun.getProcessCpuTime());
        }
        return m;
    }

    /** CPU time used between two snapshots, by process name. */
    static Map<String, Duration> used(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Duration> m = new LinkedHashMap<>();
        after.forEach((name, ns) -> {
            Long b = before.get(name);
            if (b != null) {
                m.put(name, Duration.ofNanos(ns - b));
            }
        });
        return m;
    }
}
