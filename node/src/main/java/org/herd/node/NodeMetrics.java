package org.herd.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A node's metrics in Prometheus form (docs/http.md): requests and errors by protocol and
 * command, reply latency histograms, consumer lag per topic, store sizes, open connections.
 */
public final class NodeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

    public NodeMetrics(String node) {
        registry.config().commonTags("node", node);
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(registry);
    }

    /** One request answered: {@code outcome} is ok, invalid (the client's fault) or error (ours or Kafka's). */
    public void record(String protocol, String command, String outcome, long nanos) {
        counters.computeIfAbsent(protocol + '|' + command + '|' + outcome, k -> Counter.builder("herd.requests")
                .description("Requests answered, by protocol, command and outcome")
                .tags("protocol", protocol, "command", command, "outcome", outcome)
                .register(registry)).increment();
        timers.computeIfAbsent(protocol + '|' + command, k -> Timer.builder("herd.reply")
                .description("Time from a request's arrival to its reply being ready")
                .tags("protocol", protocol, "command", command)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry)).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * Time spent in one stage of an IAMAT: {@code durable} (publish until Kafka acknowledged it) and
     * {@code applied} (from then until this node's store applied it).
     */
    public void writeStage(String stage, long nanos) {
        timers.computeIfAbsent("stage|" + stage, k -> Timer.builder("herd.write.stage")
                .description("Time spent in each stage of a write: durable in Kafka, then applied here")
                .tags("stage", stage)
                .publishPercentiles(0.5, 0.99)
                .register(registry)).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void gauge(String name, String description, Supplier<Number> value, String... tags) {
        Gauge.builder(name, value).description(description).tags(tags).register(registry);
    }

    public String scrape() {
        return registry.scrape();
    }
}
