package org.herd.node.ops;

import org.herd.node.config.HerdConfig;
import org.herd.node.config.Settings;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.herd.stream.model.Json;
import org.herd.stream.model.Place;
import org.herd.stream.model.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * Loads the bundled GeoNames places into the places topic, once. Each place is keyed by its id,
 * so a repeated load changes nothing; after a complete load a record keyed by the data set's name
 * is published to the seeds topic ({@code topics.seeds}, compacted), and a later run that finds
 * it does nothing. A load cut short has no such record and is redone. The places topic holds
 * places only; herds seeded before the seeds topic existed kept the marker there, under a key
 * starting with a space ({@link Topics#legacySeedMarkerKey}): a later run finds it, records the
 * load in the seeds topic and loads nothing.
 */
public final class PlacesSeeder {
    public static final String DATASET = "geonames-cities-v1";
    private static final Logger log = LoggerFactory.getLogger(PlacesSeeder.class);

    private PlacesSeeder() {
    }

    /** Reads the bundled TSV (see data/places/README.md); {@code keep} filters rows, e.g. for tests. */
    public static List<Place> read(Path file, Predicate<Place> keep) throws IOException {
        List<Place> places = new ArrayList<>(140_000);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8))) {
            String row;
            while ((row = in.readLine()) != null) {
                String[] f = row.split("\t", -1);
                if (f.length < 8) {
                    continue;
                }
                String name = f[1];
                String vicinity = f[3].isEmpty() ? name + ", " + f[2] : name + ", " + f[3] + ", " + f[2];
                Place p = new Place("gn:" + f[0], name, Double.parseDouble(f[6]), Double.parseDouble(f[7]),
                        vicinity, List.of("locality", "political"), Long.parseLong(f[5]), null);
                if (keep.test(p)) {
                    places.add(p);
                }
            }
        }
        return places;
    }

    /** Publishes {@code places} unless the seeds topic says {@code dataset} is loaded already. */
    public static int seed(HerdConfig config, String dataset, List<Place> places) {
        String topic = config.topics().places();
        String seeds = config.get(Settings.TOPICS_SEEDS);
        if (keyPresent(config, seeds, dataset)) {
            log.info("places topic {} already holds data set {}", topic, dataset);
            return 0;
        }
        Map<String, Object> props = bulkProducerSettings(config, "herd-places-seeder");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            if (keyPresent(config, topic, Topics.legacySeedMarkerKey(dataset))) {
                log.info("places topic {} already holds data set {} (marked in the places topic); "
                        + "recording it in {}", topic, dataset, seeds);
                recordLoad(producer, seeds, dataset, -1);
                return 0;
            }
            AtomicReference<Exception> failure = new AtomicReference<>();
            for (Place p : places) {
                producer.send(new ProducerRecord<>(topic, p.id(), Json.encode(p)), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("loading places failed; run again to finish", failure.get());
            }
            recordLoad(producer, seeds, dataset, places.size());
        }
        log.info("loaded {} places of {} into {}", places.size(), dataset, topic);
        return places.size();
    }

    /** The record saying a load is complete: {@code places} is -1 when the count is unknown. */
    private static void recordLoad(KafkaProducer<String, byte[]> producer, String seeds, String dataset, int places) {
        try {
            producer.send(new ProducerRecord<>(seeds, dataset, Json.encode(new SeedRecord(dataset, places,
                    System.currentTimeMillis())))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording the load of " + dataset, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot record the load of " + dataset + " in " + seeds
                    + "; run again to finish", e.getCause());
        }
    }

    /** A record of the seeds topic: a data set loaded completely into the places topic. */
    public record SeedRecord(String dataset, int places, long loadedAtMillis) {
    }

    /**
     * Settings for loading many records at once (places, synthetic updates): durable
     * ({@code acks=all}, idempotent) and batched rather than low-latency.
     */
    public static Map<String, Object> bulkProducerSettings(HerdConfig config, String clientId) {
        Map<String, Object> props = new HashMap<>(config.kafkaClientSettings());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    /** Reads the one partition {@code key} maps to, from its start to its end. */
    private static boolean keyPresent(HerdConfig config, String topic, String key) {
        Map<String, Object> props = new HashMap<>(config.kafkaClientSettings());
        props.put("enable.auto.commit", false);
        props.put("client.id", "herd-places-seeder-check");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            int partition = org.apache.kafka.common.utils.Utils.toPositive(
                    org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % infos.size();
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            while (consumer.position(tp, Duration.ofSeconds(30)) < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(r.key())) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
