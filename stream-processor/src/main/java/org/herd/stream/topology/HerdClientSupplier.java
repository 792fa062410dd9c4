package org.herd.stream.topology;

import org.herd.stream.store.PlainClients;
import org.herd.stream.store.PositionFollowingConsumer;
import org.apache.kafka.clients.consumer.Consumer;

import java.time.Duration;
import java.util.Map;

/** Kafka Streams' clients for one replica: plain clients, and a global consumer that follows positions. */
public final class HerdClientSupplier extends PlainClients {
    private final StoreState state;
    private final Duration pause;

    /** {@code pause}: see {@link PositionFollowingConsumer}'s constructor. */
    public HerdClientSupplier(StoreState state, Duration pause) {
        this.state = state;
        this.pause = pause;
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return new PositionFollowingConsumer(config, state::applied, pause);
    }
}
