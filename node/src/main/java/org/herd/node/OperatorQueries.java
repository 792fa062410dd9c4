package org.herd.node;

import org.herd.node.config.HerdConfig;
import org.herd.node.events.FenceDerivation;
import org.herd.node.ops.Operators;
import org.herd.node.replica.Replay;
import org.herd.node.replica.Replica;
import org.herd.node.replica.ServingReplica;
import org.herd.node.service.NodeOperations;
import org.herd.stream.model.Json;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What a node answers its operators (the admin port): its status, its digest and the herd's,
 * replays. Answers are records ({@link NodeOperations}); {@code AdminApi} writes them as JSON.
 */
final class OperatorQueries implements NodeOperations {
    private static final Duration HERD_DIGEST_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final HerdConfig config;
    private final ServingReplica serving;
    private final Operators operators;
    private final BooleanSupplier ready;
    private final Supplier<FenceDerivation> derivation;
    private final AtomicReference<CompletableFuture<HerdDigests>> herdDigests = new AtomicReference<>();

    /** {@code ready}: whether the node serves; {@code derivation}: its derivation member now, or null. */
    OperatorQueries(String name, HerdConfig config, ServingReplica serving, Operators operators, BooleanSupplier ready,
                    Supplier<FenceDerivation> derivation) {
        this.name = name;
        this.config = config;
        this.serving = serving;
        this.operators = operators;
        this.ready = ready;
        this.derivation = derivation;
    }

    @Override
    public boolean ready() {
        return ready.getAsBoolean();
    }

    private Replica replica() {
        return serving.get();
    }

    /**
     * Rebuilds this node's state by replaying the topics into a new replica, beside the one
     * serving (see {@link ServingReplica}).
     */
    @Override
    public ReplayAnswer startReplay() {
        boolean started = serving.startReplay();
        return new ReplayAnswer(serving.replayStatus(), started);
    }

    @Override
    public Replay.ReplayStatus replayStatus() {
        return serving.replayStatus();
    }

    @Override
    public NodeStatus status() {
        Replica r = replica();
        String replay = serving.replayStatus().state();
        FenceDerivation d = derivation.get();
        Derivation shown = d == null ? null : new Derivation(d.state(), d.activeTasks(), d.fences(), d.inputHeld());
        return r == null ? new NodeStatus(name, false, null, null, null, null, null, null, null, replay, shown)
                : new NodeStatus(name, ready(), r.dir.getFileName().toString(), r.streams.state().toString(),
                r.queries.approximateClientCount(), (long) r.queries.placeCount(), (long) r.state.fenceIndex().size(),
                r.applied(), r.barrier.lag(), replay, shown);
    }

    @Override
    public StateDigest digest() {
        Replica r = replica();
        Replica.ReplicaDigest d = r.digest();
        return new StateDigest(name, d.clients(), d.places(), d.fences(), d.sha256(), r.applied());
    }

    @Override
    public CompletableFuture<HerdDigests> herdDigests() {
        synchronized (herdDigests) {
            CompletableFuture<HerdDigests> running = herdDigests.get();
            if (running != null && !running.isDone()) {
                return running;
            }
            List<CompletableFuture<NodeDigest>> asks = config.nodes().stream().map(n -> askDigest(n)
                    .thenApply(d -> new NodeDigest(n, "ok", d, null))
                    .exceptionally(e -> {
                        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                        return cause instanceof ConnectException ? new NodeDigest(n, "down", null, "nothing listens on its admin port")
                                : new NodeDigest(n, "error", null, String.valueOf(cause.getMessage()));
                    })).toList();
            CompletableFuture<HerdDigests> all = CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> {
                List<NodeDigest> nodes = asks.stream().map(CompletableFuture::join).toList();
                boolean agree = nodes.stream().allMatch(d -> d.digest() != null)
                        && nodes.stream().map(d -> d.digest().sha256()).distinct().count() == 1;
                return new HerdDigests(nodes, agree);
            });
            herdDigests.set(all);
            return all;
        }
    }

    /** This node's digest (walked off the caller's thread), or another's from its admin port. */
    private CompletableFuture<StateDigest> askDigest(String node) {
        if (node.equals(name)) {
            return ready() ? CompletableFuture.supplyAsync(this::digest)
                    : CompletableFuture.failedFuture(new IOException("not serving yet: no replica to digest"));
        }
        if (config.adminPort(node) == 0) {
            return CompletableFuture.failedFuture(new IOException("its admin port is chosen when it starts (0 in the configuration)"));
        }
        return operators.getAsync(node, "/admin/digest", HERD_DIGEST_TIMEOUT).thenApply(j -> Json.MAPPER.convertValue(j, StateDigest.class));
    }
}
