package org.herd.node.service;

import java.util.Map;

/**
 * What a node offers its operators (the admin port, docs/operations.md): whether it serves, its
 * status and digest, and replays. Answers are JSON-ready maps.
 */
public interface NodeOperations {
    /** Whether the node serves: its replica has caught up and is healthy. */
    boolean ready();

    /** Counts, applied and end offsets, lag. */
    Map<String, Object> status();

    /** Client and place counts and a hash of both stores, for comparing nodes. */
    Map<String, Object> digest();

    /** Starts a replay unless one is running; returns the replay's status and whether this call started it. */
    ReplayAnswer startReplay();

    /** The current or last replay. */
    Object replayStatus();

    /** A replay's status, and whether the call that returned it started it. */
    record ReplayAnswer(Object status, boolean started) {
    }
}
