package org.herd.node.service;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;

class PublisherTest {
    @Test
    void aLingerSetByTheOperatorFitsInsideTheWriteTimeout() {
        // the producer refuses delivery.timeout.ms < linger.ms + request.timeout.ms; a node with
        // kafka.client.linger.ms set used to fail to start
        assertThatCode(() -> new Publisher(Map.of("bootstrap.servers", "127.0.0.1:1", "linger.ms", "5"),
                "publisher-test", Duration.ofSeconds(5)).close()).doesNotThrowAnyException();
    }
}
