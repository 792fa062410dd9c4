package org.herd.node;

import org.herd.node.config.HerdConfig;
import org.herd.node.ops.PlacesSeeder;

import org.herd.stream.model.Place;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Herd nodes running in this JVM against a real broker, on ephemeral ports, with their state and
 * logs under a test's temporary directory. Nodes can be stopped, wiped and started again.
 */
final class TestHerd implements AutoCloseable {
    private final HerdConfig config;
    private final Map<String, HerdNode> nodes = new LinkedHashMap<>();

    TestHerd(String bootstrapServers, Path dir, Map<String, String> overrides) {
        Map<String, String> o = new HashMap<>();
        o.put("kafka.bootstrap.servers", bootstrapServers);
        o.put("state.dir", dir.resolve("state").toString());
        o.put("logs.dir", dir.resolve("logs").toString());
        for (String n : HerdConfig.DEFAULT_NODES) {
            o.put("node." + n + ".tcp.port", "0");
            o.put("node." + n + ".http.port", "0");
            o.put("node." + n + ".admin.port", "0");
        }
        o.putAll(overrides);
        this.config = HerdConfig.of(o);
    }

    HerdConfig config() {
        return config;
    }

    /** Starts the named nodes in parallel and waits until all serve. */
    TestHerd start(String... names) {
        List<CompletableFuture<HerdNode>> starting = new ArrayList<>();
        for (String n : names) {
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return HerdNode.start(config, n, false, Map.of());
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }));
        }
        for (CompletableFuture<HerdNode> f : starting) {
            HerdNode node = f.join();
            nodes.put(node.name(), node);
        }
        return this;
    }

    TestHerd startAll() {
        return start(HerdConfig.DEFAULT_NODES.toArray(String[]::new));
    }

    void stop(String name) {
        HerdNode node = nodes.remove(name);
        if (node != null) {
            node.close();
        }
    }

    HerdNode node(String name) {
        HerdNode n = nodes.get(name);
        if (n == null) {
            throw new IllegalStateException(name + " is not running");
        }
        return n;
    }

    LineClient client(String name) throws java.io.IOException {
        return new LineClient(node(name).tcpPort());
    }

    Path stateDir(String name) {
        return config.stateDir(name);
    }

    Path logFile(String name) {
        return config.logsDir().resolve(name + ".log");
    }

    void seedPlaces(List<Place> places) {
        PlacesSeeder.seed(config, PlacesSeeder.DATASET, places);
    }

    @Override
    public void close() {
        new ArrayList<>(nodes.keySet()).forEach(this::stop);
    }
}
