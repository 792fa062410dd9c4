package org.herd.node.ops;

import org.herd.node.config.HerdConfig;
import org.herd.node.config.Settings;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the herd's topics if they do not exist; existing topics are left as they are.
 * <ul>
 *   <li>locations: {@code cleanup.policy=delete}, {@code retention.ms=-1} (kept forever). Not
 *   compacted: compaction keeps the newest record by offset, not by client time, and could drop the
 *   update that should win on a replay.</li>
 *   <li>places: compacted, since a place's newest record by offset is the one that counts.</li>
 *   <li>seeds: one partition, compacted: which bundled data sets are loaded in the places topic.</li>
 *   <li>fences: compacted, keyed by fence id.</li>
 *   <li>events: {@code cleanup.policy=delete}, kept {@code topics.events.retention.ms} (how far back
 *   a subscriber can resume).</li>
 * </ul>
 */
public final class TopicSetup {
    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);

    private TopicSetup() {
    }

    /** Creates missing topics and waits until both can be described; retries while the broker is not up. */
    public static void ensure(Admin admin, HerdConfig config, Duration patience) throws InterruptedException {
        int partitions = config.get(Settings.TOPICS_PARTITIONS);
        short replication = config.get(Settings.TOPICS_REPLICATION_FACTOR).shortValue();
        String minIsr = String.valueOf(config.get(Settings.TOPICS_MIN_INSYNC_REPLICAS));
        List<NewTopic> wanted = List.of(
                new NewTopic(config.topics().locations(), partitions, replication).configs(Map.of(
                        "cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1",
                        "min.insync.replicas", minIsr)),
                new NewTopic(config.topics().places(), partitions, replication).configs(Map.of(
                        "cleanup.policy", "compact", "min.insync.replicas", minIsr)),
                new NewTopic(config.get(Settings.TOPICS_SEEDS), 1, replication).configs(Map.of(
                        "cleanup.policy", "compact", "min.insync.replicas", minIsr)),
                new NewTopic(config.topics().fences(), partitions, replication).configs(Map.of(
                        "cleanup.policy", "compact", "min.insync.replicas", minIsr)),
                new NewTopic(config.topics().events(), partitions, replication).configs(Map.of(
                        "cleanup.policy", "delete", "retention.ms", String.valueOf(config.get(Settings.TOPICS_EVENTS_RETENTION).toMillis()),
                        "min.insync.replicas", minIsr)));
        long deadline = System.nanoTime() + patience.toNanos();
        for (NewTopic topic : wanted) {
            retry(deadline, "create topic " + topic.name(), () -> {
                try {
                    admin.createTopics(List.of(topic)).all().get(10, TimeUnit.SECONDS);
                    log.info("created topic {} ({} partitions, replication {})", topic.name(), topic.numPartitions(),
                            replication);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            });
        }
        // A new topic takes a moment to reach the broker's metadata: wait until it can be described.
        retry(deadline, "describe the herd's topics", () -> {
            Map<String, TopicDescription> found = admin.describeTopics(
                    wanted.stream().map(NewTopic::name).toList()).allTopicNames()
                    .get(10, TimeUnit.SECONDS);
            found.values().forEach(d -> log.info("topic {} has {} partitions", d.name(), d.partitions().size()));
        });
    }

    private interface Step {
        void run() throws ExecutionException, TimeoutException, InterruptedException;
    }

    private static void retry(long deadline, String what, Step step) throws InterruptedException {
        while (true) {
            try {
                step.run();
                return;
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                // too few brokers registered yet for the replication factor: a cluster still starting
                boolean retriable = cause instanceof TimeoutException
                        || cause instanceof org.apache.kafka.common.errors.RetriableException
                        || cause instanceof org.apache.kafka.common.errors.InvalidReplicationFactorException;
                if (!retriable || System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot " + what + ": " + cause, cause);
                }
                log.info("waiting for Kafka to {}: {}", what, cause.toString());
                Thread.sleep(200); // polling the broker, not synchronising threads
            }
        }
    }
}
