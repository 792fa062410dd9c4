package org.herd.node;

import org.herd.node.replica.ReplicaDirectories;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real broker and herd nodes, each a process of its own (as scripts/herd runs them), for one
 * test class that kills, floods or restarts them. Their files stay under {@code dir} (in target/)
 * for a post-mortem. Use as {@code @RegisterExtension static final ProcessHerd HERD = ...}.
 */
final class ProcessHerd implements BeforeAllCallback, AfterAllCallback {
    private final Path dir;
    private final List<String> nodes;
    private final Map<String, String> overrides = new HashMap<>();
    private BrokerProcess broker;
    private NodeProcesses herd;

    private ProcessHerd(Path dir, List<String> nodes) {
        this.dir = dir;
        this.nodes = nodes;
    }

    static ProcessHerd under(Path dir, List<String> nodes) {
        return new ProcessHerd(dir, nodes);
    }

    /** A configuration key that differs from the defaults. */
    ProcessHerd with(String key, String value) {
        overrides.put(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        ReplicaDirectories.deleteRecursively(dir);
        broker = new BrokerProcess(dir.resolve("broker")).start();
        herd = new NodeProcesses(dir.resolve("herd"), broker.bootstrapServers(), nodes, overrides);
        herd.start(nodes.toArray(String[]::new));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (herd != null) {
                herd.close();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    NodeProcesses herd() {
        return herd;
    }

    BrokerProcess broker() {
        return broker;
    }

    Path dir() {
        return dir;
    }
}
