package org.herd.node.service;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
    record NodeStatus(String node, boolean ready, String replica, String streams, Long clientsEstimate, Long places,
                  Long fences, Map<String, Map<Integer, Long>> applied, Map<String, Long> lag, String replay,
                  Derivation derivation) {
    }

    /**
     * This node's member of the fence event derivation: its Streams state, its active tasks, the
     * fences it holds, and whether it holds its input (no fence exists, between drains).
     */
    record Derivation(String state, int activeTasks, int fences, boolean inputHeld) {
    }

    /** {@code GET /admin/digest}: equal digests mean equal state (see the replica's digest). */
    record StateDigest(String node, long clients, long places, long fences, String sha256, Map<String, Map<Integer, Long>> applied) {
    }

    /**
     * {@code GET /admin/herd}: every node's digest as its own admin port answered (state {@code ok}),
     * or why not ({@code down}: nothing listens; {@code error}: it answered an error or timed out);
     * {@code agree}: every node answered and all digests are equal.
     */
    record HerdDigests(List<NodeDigest> nodes, boolean agree) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record NodeDigest(String node, String state, StateDigest digest, String error) {
    }

    /** A replay's status, and whether the call that returned it started it. */
    record ReplayAnswer(Object status, boolean started) {
    }

    /** Whether the node serves: its replica has caught up and is healthy. */
    boolean ready();

    NodeStatus status();

    /** Client and place counts and a hash of both stores, for comparing nodes. */
    StateDigest digest();

    /**
     * Every node's digest, asked of each node's admin port at once; a request while one is being
     * computed gets that one (a digest walks every store: at most one such walk of the herd at a time).
     */
    CompletableFuture<HerdDigests> herdDigests();

    /** Starts a replay unless one is running; returns the replay's status and whether this call started it. */
    ReplayAnswer startReplay();

    /** The current or last replay. */
    Object replayStatus();
}
