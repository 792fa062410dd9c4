package org.herd.node.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A node's metrics in Prometheus form (docs/http.md): requests and errors by protocol and
 * command, reply latency histograms, consumer lag per topic, store sizes, open connections.
 */
public final class NodeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final LongAdder staleReads = new LongAdder();
    /** Function counters hold their source weakly: the suppliers are kept here so they are not collected. */
    private final List<Supplier<Number>> counterSources = new CopyOnWriteArrayList<>();

    public NodeMetrics(String node) {
        registry.config().commonTags("node", node);
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(registry);
        counter("herd.stale.reads", "Reads answered from local state because the node could not catch up in time",
                staleReads::sum);
    }

    /** Counts reads answered from local state without catching up first ({@code herd_stale_reads_total}). */
    public LongAdder staleReads() {
        return staleReads;
    }

    /** A counter whose value is read from {@code value} at each scrape; tags must come from a fixed set. */
    public void counter(String name, String description, Supplier<Number> value, String... tags) {
        counterSources.add(value);
        FunctionCounter.builder(name, value, v -> v.get().doubleValue()).description(description).tags(tags)
                .register(registry);
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
