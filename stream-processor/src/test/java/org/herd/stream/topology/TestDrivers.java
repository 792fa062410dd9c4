package org.herd.stream.topology;

import org.herd.stream.model.TopicNames;
import org.apache.kafka.streams.TopologyTestDriver;

import java.util.Map;
import java.util.Properties;

/** The herd's topology in a {@link TopologyTestDriver}, with a state directory of its own. */
final class TestDrivers {
    private TestDrivers() {
    }

    static TopologyTestDriver herd(String name, StoreState state) {
        Properties props = HerdTopology.streamsConfig(name, "unused:9092",
                System.getProperty("java.io.tmpdir") + "/" + name + "-" + System.nanoTime(), Map.of());
        return new TopologyTestDriver(HerdTopology.build(TopicNames.DEFAULT, state), props);
    }
}
