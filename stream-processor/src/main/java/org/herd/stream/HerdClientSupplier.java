package org.herd.stream;

import org.apache.kafka.clients.consumer.Consumer;

import java.util.Map;

/** Kafka Streams' clients for one replica: plain clients, and a global consumer that follows positions. */
public final class HerdClientSupplier extends PlainClients {
    private final StoreState state;

    public HerdClientSupplier(StoreState state) {
        this.state = state;
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return new PositionFollowingConsumer(config, state);
    }
}
