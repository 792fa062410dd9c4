package org.herd.node.events;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.herd.node.config.HerdConfig;
import org.herd.node.config.Settings;
import org.herd.stream.store.AppliedOffsets;
import org.herd.stream.model.TopicNames;
import org.herd.stream.store.SkippedRecords;
import org.herd.stream.fence.FenceClientSupplier;
import org.herd.stream.fence.FenceIndex;
import org.herd.stream.fence.FenceParser;
import org.herd.stream.fence.DeferredCommits;
import org.herd.stream.fence.FenceTopology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * This node's member of the event derivation (docs/fences.md): a Kafka Streams application
 * shared by every running node (application id {@code fences.application.id}), exactly once.
 * The locations topic's partitions are spread over the members; when one dies, its tasks move
 * to the others (their standby copies of the previous positions make that quick), so the last
 * node standing derives every event alone. Its state lives beside the node's replicas.
 */
public final class FenceDerivation implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FenceDerivation.class);

    private final String node;
    private final KafkaStreams streams;
    private final FenceIndex index = new FenceIndex();
    private final SkippedRecords locationsSkipped;
    private final SkippedRecords fencesSkipped;
    private final FenceClientSupplier clients;

    public FenceDerivation(HerdConfig config, String node, Path dir, Map<String, Object> overrides) {
        this.node = node;
        TopicNames topics = config.topics();
        this.locationsSkipped = new SkippedRecords(topics.locations());
        this.fencesSkipped = new SkippedRecords(topics.fences());
        Map<String, Object> props = new HashMap<>(config.kafkaClientSettings());
        props.putAll(overrides);
        props.put("client.id", "herd-" + node + "-derivation");
        // static membership: a node that restarts takes its tasks back without a rebalance, and one that
        // stops leaves the group at once (close with leaveGroup); one that dies is replaced after the session timeout
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "herd-" + node);
        props.putIfAbsent(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        AppliedOffsets fencesApplied = new AppliedOffsets(topics.fences());
        DeferredCommits commits = new DeferredCommits(FenceTopology.EVENT_COMMIT_GAP);
        this.clients = new FenceClientSupplier(topics.fences(), fencesApplied, config.get(Settings.WRITE_TIMEOUT),
                () -> index.size() > 0, config.get(Settings.FENCES_DERIVATION_IDLE_DRAIN), config.get(Settings.FENCES_DERIVATION_PAUSE), commits);
        this.streams = new KafkaStreams(FenceTopology.build(new FenceTopology.Parts(topics.locations(), topics.fences(),
                topics.events(), index, new FenceParser(), locationsSkipped, fencesSkipped, fencesApplied, commits)),
                FenceTopology.streamsConfig(config.get(Settings.FENCES_APPLICATION_ID), config.bootstrapServers(),
                        dir.toAbsolutePath().toString(), props),
                clients);
        streams.setUncaughtExceptionHandler(e -> {
            // a task's failure (a fenced producer after a long pause, say): replace the thread, its tasks are redone from the last commit
            log.warn("node {}: the event derivation's thread failed; replacing it", node, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> log.info("node {}: derivation {} -> {}", node, before, now));
    }

    public void start() {
        streams.start();
    }

    /** The Streams state of this member (RUNNING, REBALANCING, ...). */
    public String state() {
        return streams.state().toString();
    }

    /** Whether this member holds its input now (no fence exists; docs/fences.md, "Who derives"). */
    public boolean inputHeld() {
        return clients.inputHeld();
    }

    /** The fences this member's derivation holds. */
    public int fences() {
        return index.size();
    }

    /** The locations-topic partitions this member derives now (its active tasks). */
    public int activeTasks() {
        return streams.metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
    }

    @Override
    public void close() {
        if (!streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(10)))) {
            log.warn("node {}: the derivation did not stop within 10 s", node);
        }
    }
}
