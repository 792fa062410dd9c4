package org.herd.node.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records a feed passed over because it could not read them: counted, and logged at most one
 * line a second whatever producers write to the topic.
 */
final class PassedOver {
    private static final Logger log = LoggerFactory.getLogger(TopicFeed.class);

    private final String node;
    private final String feed;
    /** Records passed over since the last line logged about them. */
    private final AtomicLong unlogged = new AtomicLong();
    private volatile long lastLogged = System.nanoTime() - TimeUnit.SECONDS.toNanos(1);

    PassedOver(String node, String feed) {
        this.node = node;
        this.feed = feed;
    }

    void record(int partition, long offset, RuntimeException e) {
        long count = unlogged.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastLogged >= TimeUnit.SECONDS.toNanos(1)) {
            lastLogged = now;
            unlogged.addAndGet(-count);
            log.warn("node {}: the {} feed passed over {} record(s) it could not read, the last {}@{}: {}", node, feed,
                    count, partition, offset, e.toString());
        }
    }
}
