package org.herd.bench;

import org.herd.stream.model.Json;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The herd benchmark: drives a running herd (scripts/herd up) over real TCP connections and
 * measures, in the same run, what Kafka itself does on the same broker, so the herd can be
 * stated as a ratio of its engine. Writes a Markdown table and JSON.
 */
@Command(name = "herd-bench", mixinStandardHelpOptions = true, description = "Benchmark a running herd against Kafka's own limits.")
public final class HerdBench implements Callable<Integer> {
    @Option(names = "--config", defaultValue = "config/herd.properties")
    Path configFile;
    @Option(names = "--seconds", defaultValue = "10", description = "duration of each throughput phase")
    int seconds;
    @Option(names = "--connections", defaultValue = "32")
    int connections;
    @Option(names = "--window", defaultValue = "32", description = "commands in flight per connection")
    int window;
    @Option(names = "--clients", defaultValue = "1000000", description = "known clients needed for the WHATSAT phase")
    int knownClients;
    @Option(names = "--whatsat-rate", defaultValue = "10000")
    int whatsatRate;
    @Option(names = "--out", defaultValue = "bench/target/performance-run.md")
    Path out;
    @Option(names = "--herd-sizes", split = ",", defaultValue = "1",
            description = "for the herd-size phase: herds to measure ingest with, the other nodes stopped meanwhile (default: ${DEFAULT-VALUE})")
    List<Integer> herdSizes;
    @Option(names = "--phases", split = ",", defaultValue = "ingest,herd-size,iamat-latency,classic,core,propagation,fences,whatsat,clients-near,redis,one-core,rebuild,memory",
            description = "phases to run, comma-separated (default: all): ${DEFAULT-VALUE}")
    List<String> phases;
    @Option(names = "--ingest-nodes", split = ",", description = "node counts to run the ingest phase at (default: 1 and all)")
    List<Integer> ingestNodes;
    @Option(names = "--warmup-seconds", defaultValue = "10",
            description = "load before measuring, so that every JVM has compiled its hot paths (default: ${DEFAULT-VALUE})")
    int warmupSeconds;
    @Option(names = "--ingest-open-rate", defaultValue = "0",
            description = "IAMATs a second offered open-loop after the ingest phase (default: half the measured ingest rate); "
                    + "with phase ingest-open, alone at this rate")
    int ingestOpenRate;
    @Option(names = "--core-fences", split = ",", defaultValue = "0,1000",
            description = "fence counts the core phase measures in turn: ${DEFAULT-VALUE}")
    List<Integer> coreFences;
    @Option(names = "--no-baseline", description = "skip Kafka's own producer baseline (for profiling the herd alone)")
    boolean noBaseline;

    public static void main(String[] args) {
        System.exit(new CommandLine(new HerdBench()).execute(args));
    }

    /** Every phase, in the order a run takes them (whichever --phases names). */
    static List<Phase> phases(BenchRun run) {
        return List.of(new IngestPhase(run), new IngestOpenPhase(run), new HerdSizePhase(run), new IamatLatencyPhase(run),
                new ClassicPhase(run), new CorePhase(run), new PropagationPhase(run), new FencesPhase(run),
                new FenceLatencyPhase(run), new WhatsatPhase(run), new ClientsNearPhase(run), new RedisPhase(run),
                new OneCorePhase(run), new RebuildPhase(run), new MemoryPhase(run));
    }

    @Override
    public Integer call() throws Exception {
        BenchRun run = new BenchRun(this);
        List<Phase> all = phases(run);
        List<String> known = all.stream().map(Phase::name).toList();
        List<String> unknown = phases.stream().filter(p -> !known.contains(p)).toList();
        if (!unknown.isEmpty()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "unknown phases " + unknown + "; the phases are " + known);
        }
        run.ensureKnownClients();
        run.loads.warmUp(!noBaseline);
        for (Phase phase : all) {
            if (phases.contains(phase.name())) {
                phase.run();
            }
        }
        String md = "Run " + Instant.now() + " on " + Runtime.getRuntime().availableProcessors() + " cores ("
                + System.getProperty("os.name") + ", Java " + System.getProperty("java.version") + "); herd of "
                + run.nodes.size() + " nodes and one broker on the same machine.\n\n" + run.table;
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md);
        Files.writeString(Path.of(out.toString().replaceAll("\\.md$", "") + ".json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(run.results));
        System.out.println(md);
        return 0;
    }
}
