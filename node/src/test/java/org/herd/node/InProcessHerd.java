package org.herd.node;

import org.herd.node.replica.ReplicaDirectories;

import org.herd.node.ops.PlacesSeeder;
import org.herd.stream.model.Place;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A real Kafka broker ({@link TestKafka}: a container where Docker is found, else in this JVM)
 * and a herd of nodes in the test JVM, for one test class: started
 * before its tests, seeded with places, closed after. Use as
 * {@code @RegisterExtension static final InProcessHerd HERD = InProcessHerd.of("Alford", "Ball")}.
 */
final class InProcessHerd implements BeforeAllCallback, AfterAllCallback {
    private final List<String> nodes;
    private final Map<String, String> overrides = new HashMap<>();
    private final List<Place> places = new ArrayList<>();
    private Predicate<Place> bundled;
    private Path dir;
    private TestKafka kafka;
    private TestHerd herd;

    private InProcessHerd(List<String> nodes) {
        this.nodes = nodes;
    }

    static InProcessHerd of(String... nodes) {
        return new InProcessHerd(List.of(nodes));
    }

    /** Configuration keys that differ from the defaults. */
    InProcessHerd with(String key, String value) {
        overrides.put(key, value);
        return this;
    }

    /** Seeds the bundled GeoNames places that pass {@code filter}. */
    InProcessHerd bundledPlaces(Predicate<Place> filter) {
        this.bundled = filter;
        return this;
    }

    InProcessHerd places(Place... seed) {
        places.addAll(List.of(seed));
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("herd-" + context.getRequiredTestClass().getSimpleName());
        kafka = TestKafka.start();
        herd = new TestHerd(kafka.bootstrapServers(), dir.resolve("herd"), overrides);
        // the first node creates the topics; places are seeded once, then the others start and load them
        herd.start(nodes.get(0));
        List<Place> seed = new ArrayList<>(places);
        if (bundled != null) {
            seed.addAll(PlacesSeeder.read(Path.of("..", "data", "places", "geonames-cities.tsv.gz"), bundled));
        }
        if (!seed.isEmpty()) {
            herd.seedPlaces(seed);
        }
        if (nodes.size() > 1) {
            herd.start(nodes.subList(1, nodes.size()).toArray(String[]::new));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (herd != null) {
                herd.close();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            ReplicaDirectories.deleteRecursively(dir);
        } catch (IOException | RuntimeException e) {
            // a temporary directory: the system cleans it up in the end
        }
    }

    TestHerd herd() {
        return herd;
    }

    TestKafka kafka() {
        return kafka;
    }

    Path dir() {
        return dir;
    }
}
