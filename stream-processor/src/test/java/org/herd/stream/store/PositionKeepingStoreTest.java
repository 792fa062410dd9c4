package org.herd.stream.store;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class PositionKeepingStoreTest {
    @TempDir
    Path dir;

    private KeyValueStore<Bytes, byte[]> open(AppliedOffsets applied) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "position-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>(props, new TaskId(0, 0), dir.toFile());
        KeyValueStore<Bytes, byte[]> store = PositionKeepingStore.supplier("locations", applied).get();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    private static Bytes key(String s) {
        return Bytes.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void positionsAreWrittenIntoTheStoreOnFlushAndSurviveAReopen() {
        AppliedOffsets applied = new AppliedOffsets("herd.locations");
        KeyValueStore<Bytes, byte[]> store = open(applied);
        store.put(key("kiwi"), "v".getBytes(StandardCharsets.UTF_8));
        applied.advance(0, 7);
        applied.advance(2, 3);
        store.flush();
        store.close();

        AppliedOffsets reloaded = new AppliedOffsets("herd.locations");
        KeyValueStore<Bytes, byte[]> reopened = open(reloaded);
        assertThat(reloaded.position(0)).isEqualTo(7);
        assertThat(reloaded.position(2)).isEqualTo(3);
        assertThat(reopened.get(key("kiwi"))).isEqualTo("v".getBytes(StandardCharsets.UTF_8));
        reopened.close();
    }

    @Test
    void readersSeeDataOnlyAndCannotWriteIntoThePositions() {
        AppliedOffsets applied = new AppliedOffsets("herd.locations");
        KeyValueStore<Bytes, byte[]> store = open(applied);
        store.put(key("kiwi"), "v".getBytes(StandardCharsets.UTF_8));
        applied.advance(0, 7);
        store.flush();
        assertThat(store.get(PositionKeepingStore.positionKey(0))).isNull();
        java.util.List<String> keys = new java.util.ArrayList<>();
        try (var it = store.all()) {
            it.forEachRemaining(kv -> keys.add(new String(kv.key.get(), StandardCharsets.UTF_8)));
        }
        assertThat(keys).containsExactly("kiwi");
        assertThat(store.approximateNumEntries()).isLessThanOrEqualTo(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.put(PositionKeepingStore.positionKey(0),
                PositionKeepingStore.positionValue(99))).isInstanceOf(IllegalArgumentException.class);
        store.close();
        AppliedOffsets reloaded = new AppliedOffsets("herd.locations");
        open(reloaded).close();
        assertThat(reloaded.position(0)).isEqualTo(7);
    }
}
