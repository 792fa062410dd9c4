package org.herd.node;

import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The Kafka broker an integration test runs against. Where a Docker engine is found, or when
 * {@code -Dherd.it.kafka=testcontainers} asks for it, a Testcontainers {@code KafkaContainer}
 * (the {@code apache/kafka} image at the version the project pins); elsewhere, and with
 * {@code -Dherd.it.kafka=in-process}, a real broker in this JVM ({@link KafkaCluster}).
 */
interface TestKafka extends AutoCloseable {
    String bootstrapServers();

    static TestKafka start() throws Exception {
        String mode = System.getProperty("herd.it.kafka", "auto");
        if (mode.equals("in-process")) {
            return KafkaCluster.start();
        }
        boolean docker = Docker.available();
        if (mode.equals("testcontainers")) {
            Assumptions.assumeTrue(docker, "herd.it.kafka=testcontainers asks for a Kafka container, "
                    + "but no Docker engine was found");
        }
        return docker ? ContainerKafka.start() : KafkaCluster.start();
    }

    /** Whether Testcontainers finds a Docker engine; asked once per test JVM. */
    final class Docker {
        private static Boolean available;

        private Docker() {
        }

        static synchronized boolean available() {
            if (available == null) {
                try {
                    available = DockerClientFactory.instance().isDockerAvailable();
                } catch (RuntimeException e) {
                    available = false;
                }
            }
            return available;
        }
    }

    /** A Kafka container from the apache/kafka image, at the version of the Kafka clients on the class path. */
    final class ContainerKafka implements TestKafka {
        private final KafkaContainer container;

        private ContainerKafka(KafkaContainer container) {
            this.container = container;
        }

        static ContainerKafka start() {
            KafkaContainer c = new KafkaContainer("apache/kafka:" + AppInfoParser.getVersion())
                    .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                    .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                    .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
            c.start();
            return new ContainerKafka(c);
        }

        @Override
        public String bootstrapServers() {
            return container.getBootstrapServers();
        }

        @Override
        public void close() {
            container.stop();
        }
    }
}
