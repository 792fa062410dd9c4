package org.herd.node.service;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * What a node offers its operators (the admin port, docs/operations.md): whether it serves, its
 * status and digest, and replays. Answers are records written as JSON.
 */
public interface NodeOperations {
    /**
     * {@code GET /admin/status}: counts, applied offsets and lag of the serving replica (absent
     * before the node has one), and the replay state.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Status(String node, boolean ready, String replica, String streams, Long clientsEstimate, Long places,
                  Long fences, Map<String, Map<Integer, Long>> applied, Map<String, Long> lag, String replay,
                  Derivation derivation) {
    }

    /** This node's member of the fence event derivation: its Streams state, its active tasks, the fences it holds. */
    record Derivation(String state, int activeTasks, int fences) {
    }

    /** {@code GET /admin/digest}: equal digests mean equal state (see the replica's digest). */
    record Digest(String node, long clients, long places, long fences, String sha256, Map<String, Map<Integer, Long>> applied) {
    }

    /** A replay's status, and whether the call that returned it started it. */
    record ReplayAnswer(Object status, boolean started) {
    }

    /** Whether the node serves: its replica has caught up and is healthy. */
    boolean ready();

    Status status();

    /** Client and place counts and a hash of both stores, for comparing nodes. */
    Digest digest();

    /** Starts a replay unless one is running; returns the replay's status and whether this call started it. */
    ReplayAnswer startReplay();

    /** The current or last replay. */
    Object replayStatus();
}
