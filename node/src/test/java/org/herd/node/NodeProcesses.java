package org.herd.node;

import org.herd.node.config.HerdConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** Herd nodes as real processes ({@code Main node NAME}), as scripts/herd runs them, for kill -9 tests. */
final class NodeProcesses implements AutoCloseable {
    private final Path dir;
    private final Path configFile;
    private final HerdConfig config;
    private final Map<String, Process> running = new LinkedHashMap<>();

    NodeProcesses(Path dir, String bootstrap, List<String> names, Map<String, String> overrides) throws IOException {
        this.dir = dir;
        Map<String, String> props = new HashMap<>(overrides);
        props.put("kafka.bootstrap.servers", bootstrap);
        props.put("herd.nodes", String.join(",", names));
        props.put("state.dir", dir.resolve("state").toString());
        props.put("logs.dir", dir.resolve("logs").toString());
        for (String n : names) {
            props.put("node." + n + ".tcp.port", String.valueOf(ChildJvm.freePort()));
            props.put("node." + n + ".http.port", String.valueOf(ChildJvm.freePort()));
            props.put("node." + n + ".admin.port", String.valueOf(ChildJvm.freePort()));
        }
        Files.createDirectories(dir);
        configFile = dir.resolve("herd.properties");
        StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(configFile, text.toString());
        config = HerdConfig.load(configFile, Map.of());
    }

    HerdConfig config() {
        return config;
    }

    /** Starts the nodes (in parallel) and waits until each one's health is UP. */
    void start(String... names) throws IOException {
        startWithoutWaiting(names);
        for (String n : names) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> {
                        if (!running.get(n).isAlive()) {
                            throw new AssertionError(n + " exited: " + Files.readString(dir.resolve(n + ".out")));
                        }
                        return HttpClientSupport.get(config.httpPort(n), "/health").status() == 200;
                    });
        }
    }

    /** Starts the nodes' processes and returns at once. */
    void startWithoutWaiting(String... names) throws IOException {
        for (String n : names) {
            running.put(n, ChildJvm.start("org.herd.node.Main", List.of("--config", configFile.toString(), "node", n),
                    Map.of(), dir.resolve(n + ".out"), "-Xmx384m", "-XX:+UseSerialGC"));
        }
    }

    /** Stops a node as an operator would (SIGTERM: an orderly shutdown) and waits for it. */
    void stop(String name) throws InterruptedException {
        Process p = running.remove(name);
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            ChildJvm.kill9(p);
        }
    }

    long pid(String name) {
        return running.get(name).pid();
    }

    /** What the node's JVM printed (its console output). */
    String output(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".out"));
    }

    int httpPort(String name) {
        return config.httpPort(name);
    }

    void kill9(String name) throws InterruptedException {
        ChildJvm.kill9(running.remove(name));
    }

    int tcpPort(String name) {
        return config.tcpPort(name);
    }

    int adminPort(String name) {
        return config.adminPort(name);
    }

    Path stateDir(String name) {
        return config.stateDir(name);
    }

    @Override
    public void close() throws Exception {
        for (Process p : running.values()) {
            p.destroy();
        }
        for (Process p : running.values()) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                ChildJvm.kill9(p);
            }
        }
        running.clear();
    }
}
