package org.herd.node;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/** A real single-node KRaft Kafka cluster in this JVM, for integration tests. */
final class KafkaCluster implements TestKafka {
    private final KafkaClusterTestKit kit;
    private boolean closed;

    private KafkaCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    static KafkaCluster start() throws Exception {
        KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .build())
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("log.cleaner.dedupe.buffer.size", "16777216")
                .build();
        kit.format();
        kit.startup();
        kit.waitForReadyBrokers();
        return new KafkaCluster(kit);
    }

    @Override
    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    @Override
    public synchronized void close() throws Exception {
        if (!closed) {
            closed = true;
            kit.close();
        }
    }
}
