package org.herd.node.events;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.herd.node.service.Busy;
import org.herd.node.service.EventSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A node's subscribers to one topic (the fence events of docs/fences.md, the news of
 * docs/http.md), each with its own selection. One consumer (read committed, no group) follows
 * the topic's end and hands each record, read once, to every live subscriber, whose selection
 * makes it a message or passes it over. A subscriber that resumes (an id, or the oldest record)
 * first reads on a consumer of its own, from its position, until it has caught up with the
 * shared one; then it joins the live subscribers at once, under the lock the shared consumer
 * delivers under, so no record is missed or repeated between the two.
 *
 * <p>An id is the subscriber's position just after that record, in every partition:
 * {@code <prefix>.<next offset of partition 0>.<of partition 1>...}. Resuming after it reads
 * every later record once. Bounded: {@code maxSubscribers} subscribers, {@code maxCatchingUp} of
 * them catching up at once; a subscriber whose sink refuses a message (its buffer is full) is
 * dropped and told so, and reconnects with its last id.
 */
public final class TopicFeed<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopicFeed.class);

    /** What the feed is called in thread and client names and in its answers, and the settings that bound it. */
    public record Naming(String name, String idPrefix, String subscribersSetting, String catchUpSetting) {
    }
    private static final Duration POLL = Duration.ofMillis(200);

    private final String node;
    private final String topic;
    private final Naming naming;
    private final Function<ConsumerRecord<String, byte[]>, T> reader;
    private final Map<String, Object> consumerProps;
    /** How long a replay waits for a subscriber that does not read before dropping it. */
    private final Duration patience;
    private final ThreadPoolExecutor catchUps;
    private final PassedOver passedOver;
    private final FeedAdmission admission;
    private final FeedIds ids;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Object lock = new Object();
    /** Next offset of each partition that the shared consumer will deliver; guarded by {@link #lock}. */
    private long[] tail;
    /** Guarded by {@link #lock}. */
    private final List<Sub> live = new ArrayList<>();
    private KafkaConsumer<String, byte[]> consumer;
    private List<TopicPartition> partitions;
    private Thread thread;

    /** {@code reader}: what a record is to the subscribers, or null for one that is nothing to them. */
    public TopicFeed(String node, String topic, Naming naming, Function<ConsumerRecord<String, byte[]>, T> reader,
                     Map<String, Object> clientSettings, int maxSubscribers, int maxCatchingUp, Duration patience,
                     int maxPerAddress, int maxCatchingUpPerAddress) {
        this.node = node;
        this.naming = naming;
        this.reader = reader;
        this.patience = patience;
        this.topic = topic;
        this.passedOver = new PassedOver(node, naming.name());
        this.admission = new FeedAdmission(naming, maxSubscribers, maxPerAddress, maxCatchingUpPerAddress);
        this.ids = new FeedIds(naming.idPrefix(), naming.name(), topic);
        Map<String, Object> props = new HashMap<>(clientSettings);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"); // an id older than the topic keeps: its oldest event
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 256 * 1024);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 1024 * 1024);
        // a read-committed fetch is answered as soon as a commit marker makes events readable, so the
        // default fetch.max.wait.ms (500 ms) costs no latency, only fewer idle fetches
        this.consumerProps = props;
        this.catchUps = new ThreadPoolExecutor(0, maxCatchingUp, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "herd-" + node + "-" + naming.name() + "-catchup");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts following the topic's end (the topic must exist). */
    public void start() {
        consumer = newConsumer("tail");
        partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(topic, p.partition()));
        }
        partitions.sort(java.util.Comparator.comparingInt(TopicPartition::partition));
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        long[] at = positions(consumer);
        synchronized (lock) {
            tail = at;
        }
        thread = new Thread(this::follow, "herd-" + node + "-" + naming.name());
        thread.setDaemon(true);
        thread.start();
    }

    private KafkaConsumer<String, byte[]> newConsumer(String role) {
        Map<String, Object> props = new HashMap<>(consumerProps);
        if (role.equals("catchup")) {
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200); // a batch well within a subscriber's buffer
        }
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "herd-" + node + "-" + naming.name() + "-" + role);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private long[] positions(KafkaConsumer<?, ?> c) {
        long[] at = new long[partitions.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = c.position(partitions.get(i));
        }
        return at;
    }

    /** The shared consumer's loop: every event to every live subscriber that wants it. */
    private void follow() {
        try {
            while (running.get()) {
                var records = consumer.poll(POLL);
                long[] now = positions(consumer); // past transaction markers too
                synchronized (lock) {
                    if (!live.isEmpty()) {
                        // one copy per batch: a subscriber dropped meanwhile is closed and takes nothing more
                        List<Sub> subs = List.copyOf(live);
                        for (ConsumerRecord<String, byte[]> r : records) {
                            T e = read(r);
                            for (Sub s : subs) {
                                s.deliver(r.partition(), r.offset(), e);
                            }
                        }
                    }
                    for (int i = 0; i < now.length; i++) {
                        tail[i] = Math.max(tail[i], now[i]);
                        for (Sub s : live) {
                            s.positions[i] = Math.max(s.positions[i], tail[i]);
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("node {}: the {} feed stopped", node, naming.name(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            List<Sub> ending;
            synchronized (lock) {
                ending = List.copyOf(live);
            }
            ending.forEach(s -> s.end("the node is stopping"));
        }
    }

    /**
     * What a record is to the subscribers; null (passed over, counted) for one the reader cannot
     * take: whatever a producer writes to the topic, the feed goes on.
     */
    private T read(ConsumerRecord<String, byte[]> r) {
        try {
            return reader.apply(r);
        } catch (RuntimeException e) {
            passedOver.record(r.partition(), r.offset(), e);
            return null;
        }
    }

    /** Why {@code id} is not one of this feed's, or empty if it is. */
    public Optional<String> checkId(String id) {
        return ids.parse(id, partitions.size()) == null ? Optional.of(ids.form()) : Optional.empty();
    }

    private long[] parse(String id) {
        return ids.parse(id, partitions.size());
    }

    private String id(long[] positions) {
        return ids.id(positions);
    }

    /**
     * Subscribes {@code sink} to the messages {@code select} makes of records (given each record and
     * its id; null passes it over); fails at once with {@link Busy} over the limits.
     */
    public EventSource.Subscription subscribe(BiFunction<T, String, EventSource.EventMessage> select, EventSource.From from,
                                              EventSource.Sink sink) {
        String peer = sink.peer();
        boolean catchingUp = !(from instanceof EventSource.Latest);
        admission.admit(peer, catchingUp);
        Sub s = new Sub(select, sink, peer);
        if (from instanceof EventSource.Latest) {
            synchronized (lock) {
                s.positions = tail.clone();
                live.add(s);
            }
            return s;
        }
        long[] start = from instanceof EventSource.After a ? parse(a.eventId()) : null;
        if (from instanceof EventSource.After && start == null) {
            admission.catchUpEnded(peer);
            s.close();
            throw new IllegalArgumentException("not an id of this herd's " + naming.name());
        }
        try {
            catchUps.execute(() -> {
                try {
                    catchUp(s, start);
                } finally {
                    admission.catchUpEnded(peer);
                }
            });
        } catch (RejectedExecutionException e) {
            admission.catchUpEnded(peer);
            s.close();
            throw new Busy("this node is already replaying " + naming.name() + " for " + catchUps.getMaximumPoolSize()
                    + " resuming subscribers (" + naming.catchUpSetting() + ")");
        }
        return s;
    }

    /** Reads from {@code start} (null: the oldest event) on a consumer of its own until the subscriber can join the live ones. */
    private void catchUp(Sub s, long[] start) {
        try (KafkaConsumer<String, byte[]> c = newConsumer("catchup")) {
            c.assign(partitions);
            Map<TopicPartition, Long> ends = c.endOffsets(partitions);
            s.positions = new long[partitions.size()];
            for (int i = 0; i < partitions.size(); i++) {
                TopicPartition tp = partitions.get(i);
                if (start == null) {
                    c.seekToBeginning(List.of(tp));
                } else {
                    c.seek(tp, Math.min(start[i], ends.get(tp))); // past the end: from the end
                }
                s.positions[i] = c.position(tp);
            }
            while (running.get() && !s.closed.get()) {
                if (!roomFor(s)) {
                    return;
                }
                long[] at = positions(c);
                synchronized (lock) {
                    boolean caughtUp = true;
                    for (int i = 0; i < at.length; i++) {
                        s.positions[i] = Math.max(s.positions[i], at[i]);
                        caughtUp &= at[i] >= tail[i];
                    }
                    if (caughtUp) {
                        if (!s.closed.get()) {
                            live.add(s); // from here on the shared consumer delivers what is after its positions
                        }
                        return;
                    }
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
                    // paced event by event: a poll brings up to 200, more than a small output budget holds at once
                    if (!roomFor(s)) {
                        return;
                    }
                    s.deliver(r.partition(), r.offset(), read(r));
                    if (s.closed.get()) {
                        return;
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("node {}: replaying {} for a subscriber failed: {}", node, naming.name(), e.toString());
            s.end("the " + naming.name() + " could not be read: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.end("the node is stopping");
        }
    }

    /** Waits until the subscriber has room for more; false (and the subscriber ended) when it did not read in time. */
    private boolean roomFor(Sub s) throws InterruptedException {
        if (s.sink.awaitRoom(patience)) {
            return true;
        }
        s.end("the subscriber did not read its replayed " + naming.name() + " for " + patience.toMillis() + " ms; reconnect with the last event id");
        return false;
    }

    private final class Sub implements EventSource.Subscription {
        final BiFunction<T, String, EventSource.EventMessage> select;
        final EventSource.Sink sink;
        final AtomicBoolean closed = new AtomicBoolean();
        /** Next offset per partition: events before these were seen. Written by one thread at a time (catch-up, then under the lock). */
        volatile long[] positions;

        final String peer;

        Sub(BiFunction<T, String, EventSource.EventMessage> select, EventSource.Sink sink, String peer) {
            this.select = select;
            this.sink = sink;
            this.peer = peer;
        }

        void deliver(int partition, long offset, T e) {
            int i = partition; // partitions are 0..n-1, in order
            if (closed.get() || offset < positions[i]) {
                return;
            }
            positions[i] = offset + 1;
            EventSource.EventMessage m;
            try {
                m = e == null ? null : select.apply(e, id(positions));
            } catch (RuntimeException failure) {
                passedOver.record(partition, offset, failure); // this subscriber passes it over; the feed and the others go on
                return;
            }
            if (m != null && !sink.offer(m)) {
                end("the subscriber did not read its " + naming.name() + " fast enough; reconnect with the last event id");
            }
        }

        void end(String why) {
            if (!closed.get()) {
                close();
                sink.ended(why);
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                admission.subscriberEnded(peer);
                synchronized (lock) {
                    live.remove(this);
                }
            }
        }
    }

    /** Subscribers now (for metrics). */
    public int subscribers() {
        return admission.subscribers();
    }

    @Override
    public void close() {
        running.set(false);
        if (consumer != null) {
            consumer.wakeup();
        }
        catchUps.shutdownNow();
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
