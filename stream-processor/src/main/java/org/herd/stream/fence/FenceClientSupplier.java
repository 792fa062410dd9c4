package org.herd.stream.fence;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.herd.stream.store.AppliedOffsets;
import org.herd.stream.store.PlainClients;
import org.herd.stream.store.PositionFollowingConsumer;
import org.herd.stream.store.TricklePacer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The derivation's Kafka clients. Its main consumer, after each poll that returned locations,
 * waits until this member's fence store has applied the fences topic up to its end as of that
 * moment: every fence acknowledged before those locations were fetched (so before a client
 * could have sent them after its fence's PUT was answered) is in the index when they are
 * judged. One end-offset lookup per poll, not per record, by an admin client of its own: asked on
 * the consumer's connection, the lookup would queue behind the fetch the consumer has already sent
 * and wait out its fetch.max.wait.ms (a broker answers one connection's requests in order), which
 * was most of an event's delivery time. The global consumer follows positions past transaction
 * markers, as the replicas' does.
 *
 * <p>While no fence exists the main consumer holds its partitions paused (Streams' own pauses
 * and resumes still tracked), so the derivation costs the herd's writes nothing: no fetch, no
 * lookup, no transaction per update. Every {@code idleDrain} it reads what came meanwhile, up to
 * where the topic ended when the drain began (or until a poll comes back empty), so that clients' previous positions stay current and the first fence
 * defined waits for at most that much backlog. Pausing only delays: an update judged late is
 * judged by the same rules (a fence applies to updates stored at or after it).
 *
 * <p>With fences, the main consumer paces a trickle of locations as the replicas do
 * ({@link TricklePacer}): each write would otherwise wake a member's stream thread, and its fence
 * end lookup, while the write's own acknowledgement is on its way.
 */
public final class FenceClientSupplier extends PlainClients {
    private static final Logger log = LoggerFactory.getLogger(FenceClientSupplier.class);

    private final String fencesTopic;
    private final AppliedOffsets fencesApplied;
    private final Duration patience;
    private final BooleanSupplier fencesExist;
    private final Duration idleDrain;
    private final Duration pause;
    private final DeferredCommits commits;
    /** Whether the main consumer holds its input now (no fence, between drains); for the operators' status. */
    private volatile boolean inputHeld;

    /**
     * {@code patience}: how long a poll waits for the fence store before it goes on without (logged);
     * {@code fencesExist}: whether this member holds any fence; {@code idleDrain}: how often the
     * input is read while it holds none (zero: always); {@code pause}: after a poll that brought a
     * trickle of locations (not a full batch), how long after it the next fetch waits
     * ({@link TricklePacer}; zero: never); {@code commits}: while a detector has put off a commit, a
     * poll waits at most the commit gap ({@link DeferredCommits}).
     */
    public FenceClientSupplier(String fencesTopic, AppliedOffsets fencesApplied, Duration patience,
                               BooleanSupplier fencesExist, Duration idleDrain, Duration pause, DeferredCommits commits) {
        this.fencesTopic = fencesTopic;
        this.fencesApplied = fencesApplied;
        this.patience = patience;
        this.fencesExist = fencesExist;
        this.idleDrain = idleDrain;
        this.pause = pause;
        this.commits = commits;
    }

    /** Whether the derivation holds its input now: no fence exists, and no drain is under way. */
    public boolean inputHeld() {
        return inputHeld;
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return new FenceSyncingConsumer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return new PositionFollowingConsumer(config, topic -> topic.equals(fencesTopic) ? fencesApplied : null, Duration.ZERO);
    }

    private final class FenceSyncingConsumer extends KafkaConsumer<byte[], byte[]> {
        private final Admin admin;
        private List<TopicPartition> fencePartitions;
        /** Partitions Streams has paused itself (back-pressure, tasks not running yet): they stay paused when the gate opens. */
        private final Set<TopicPartition> pausedByStreams = new HashSet<>();
        private boolean draining;
        private Map<TopicPartition, Long> drainTargets;
        private long nextDrain = System.nanoTime();
        private final TricklePacer pacer;

        FenceSyncingConsumer(Map<String, Object> config) {
            super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.pacer = TricklePacer.forConsumer(config, pause);
            Map<String, Object> adminConfig = new HashMap<>();
            config.forEach((key, value) -> {
                if (AdminClientConfig.configNames().contains(key)) {
                    adminConfig.put(key, value);
                }
            });
            adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, config.getOrDefault(ConsumerConfig.CLIENT_ID_CONFIG, "derivation") + "-fence-ends");
            this.admin = Admin.create(adminConfig);
        }

        @Override
        public void close(CloseOptions options) {
            try {
                admin.close(options.timeout().orElse(Duration.ofSeconds(30)));
            } finally {
                super.close(options);
            }
        }

        @Override
        public void close(Duration timeout) {
            close(CloseOptions.timeout(timeout));
        }

        @Override
        public void close() {
            close(CloseOptions.timeout(Duration.ofSeconds(30)));
        }

        @Override
        public void pause(Collection<TopicPartition> partitions) {
            pausedByStreams.addAll(partitions);
            super.pause(partitions);
        }

        @Override
        public void resume(Collection<TopicPartition> partitions) {
            pausedByStreams.removeAll(partitions);
            if (!inputHeld) {
                super.resume(partitions);
            }
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            gate();
            pacer.awaitTurn();
            ConsumerRecords<byte[], byte[]> records = super.poll(commits.pollTimeout(timeout));
            pacer.polled(records.count());
            if (!records.isEmpty()) {
                awaitFences();
            }
            if (draining && (records.isEmpty() ? !timeout.isZero() : caughtUpWithDrainStart())) {
                draining = false; // hold the input again until the next drain
                drainTargets = null;
                nextDrain = System.nanoTime() + idleDrain.toNanos();
            }
            return records;
        }

        /**
         * Whether this drain has read every partition up to where its end was when the drain's first
         * records came (under steady writes a poll seldom comes back empty).
         */
        private boolean caughtUpWithDrainStart() {
            if (drainTargets == null) {
                drainTargets = new HashMap<>();
                for (TopicPartition tp : assignment()) {
                    OptionalLong lag = currentLag(tp);
                    if (lag.isPresent()) {
                        drainTargets.put(tp, position(tp) + lag.getAsLong());
                    }
                }
            }
            for (var target : drainTargets.entrySet()) {
                if (assignment().contains(target.getKey()) && position(target.getKey()) < target.getValue()) {
                    return false;
                }
            }
            return true;
        }

        /** Holds the input while this member has no fence, but for a drain every {@code idleDrain}. */
        private void gate() {
            Set<TopicPartition> assigned = assignment();
            pausedByStreams.retainAll(assigned);
            boolean hold = !idleDrain.isZero() && !fencesExist.getAsBoolean() && !draining;
            if (hold && System.nanoTime() - nextDrain >= 0) {
                draining = true;
                hold = false;
            }
            if (hold) {
                Set<TopicPartition> running = new HashSet<>(assigned);
                running.removeAll(paused());
                if (!running.isEmpty()) {
                    super.pause(running);
                }
            } else if (inputHeld) {
                Set<TopicPartition> release = new HashSet<>(assigned);
                release.removeAll(pausedByStreams);
                super.resume(release);
            }
            inputHeld = hold;
        }

        private void awaitFences() {
            long deadline = System.nanoTime() + patience.toNanos();
            try {
                if (fencePartitions == null) {
                    fencePartitions = partitionsFor(fencesTopic, patience).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                }
                var ends = admin.listOffsets(fencePartitions.stream().collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest())),
                                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                        .get(patience.toNanos(), TimeUnit.NANOSECONDS);
                for (var end : ends.entrySet()) {
                    long left = Math.max(0, deadline - System.nanoTime());
                    var applied = fencesApplied.awaitPosition(end.getKey().partition(), end.getValue().offset());
                    try {
                        applied.get(left, TimeUnit.NANOSECONDS);
                    } finally {
                        applied.cancel(false); // a waiter given up on is forgotten
                    }
                }
            } catch (TimeoutException | ExecutionException | org.apache.kafka.common.errors.TimeoutException e) {
                log.warn("the derivation's fence store did not catch up within {} ms; judging locations with the fences it has",
                        patience.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
