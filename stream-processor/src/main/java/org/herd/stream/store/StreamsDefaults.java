package org.herd.stream.store;

import org.apache.kafka.streams.StreamsConfig;

import java.util.Map;
import java.util.Properties;

/** What every Kafka Streams application of the herd (the replicas, the derivation) is configured with first. */
public final class StreamsDefaults {
    private StreamsDefaults() {
    }

    /** The overrides, then the application id, the cluster and the state directory where they do not say. */
    public static Properties base(String applicationId, String bootstrapServers, String stateDir,
                                  Map<String, ?> overrides) {
        Properties props = new Properties();
        props.putAll(overrides);
        props.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.putIfAbsent(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putIfAbsent(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        return props;
    }
}
