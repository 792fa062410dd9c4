package org.herd.node;

import org.herd.node.ops.PlacesSeeder;

import org.herd.node.config.HerdConfig;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.herd.stream.model.Json;
import org.herd.stream.model.Location;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fills the locations topic with synthetic updates, straight through a producer (not through the
 * nodes), as the nodes would have written them: for measuring replay and for benchmarks.
 */
@Command(name = "load-locations", description = "Publish synthetic location updates to the locations topic (for replay measurements).")
public final class LoadLocations implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main parent;

    @Option(names = "--count", defaultValue = "1000000", description = "updates to publish (default ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--clients", defaultValue = "100000", description = "distinct client ids (default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        double rate = publish(parent.config(), count, clients, seed);
        System.out.printf("published %,d updates for %,d clients (%,.0f updates/s)%n", count, Math.min(count, clients), rate);
        return 0;
    }

    /** Publishes {@code count} updates for {@code clients} clients; returns updates per second. */
    public static double publish(HerdConfig config, long count, int clients, long seed) throws Exception {
        Map<String, Object> props = PlacesSeeder.bulkProducerSettings(config, "herd-load-locations");
        List<String> nodes = config.nodes();
        SplittableRandom random = new SplittableRandom(seed);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        long baseTime = 1_700_000_000L;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < count && failure.get() == null; i++) {
                String client = "load-" + (i % clients) + ".example";
                double lat = random.nextDouble(-60, 70);
                double lng = random.nextDouble(-180, 180);
                String loc = String.format("%+.6f%+.6f", lat, lng);
                String time = (baseTime + i / clients) + "." + String.format("%09d", random.nextInt(1_000_000_000));
                String node = nodes.get((int) (i % nodes.size()));
                producer.send(new ProducerRecord<>(config.topics().locations(), client,
                        Json.encode(Location.withSkew(client, loc, lat, lng, time, node, "+0.001000000"))), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return count / ((System.nanoTime() - t0) / 1e9);
    }
}
