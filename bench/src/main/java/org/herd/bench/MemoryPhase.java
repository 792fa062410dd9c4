package org.herd.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Each node's heap and resident memory. */
final class MemoryPhase implements Phase {
    private final BenchRun run;

    MemoryPhase(BenchRun run) {
        this.run = run;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void run() throws Exception {
        memory();
    }

    void memory() throws Exception {
        StringBuilder heap = new StringBuilder();
        Map<String, Object> m = new LinkedHashMap<>();
        for (String n : run.nodes) {
            String metrics = run.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + run.config.httpPort(n) + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double used = metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            long rss = rss(n);
            m.put(n, Map.of("heapUsedMiB", Math.round(used / (1 << 20)), "rssMiB", rss));
            heap.append(String.format("%s %d/%d ", n, Math.round(used / (1 << 20)), rss));
        }
        run.results.put("memory", m);
        run.row("node memory: heap used / RSS (MiB)", heap.toString().trim(), "", "");
    }

    static long rss(String node) {
        try {
            String pid = Files.readString(Path.of("run", "pids", node + ".pid")).trim();
            return Files.readAllLines(Path.of("/proc", pid, "status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).findFirst().orElse(-1);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
