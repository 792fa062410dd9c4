package org.herd.node;

import org.herd.node.config.HerdConfig;
import org.herd.node.config.Settings;
import org.herd.node.ops.Operators;
import org.herd.node.ops.PlacesSeeder;
import org.herd.node.ops.TopicSetup;

import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Command-line entry point: run a node, set up topics and places, print the configuration. */
@Command(name = "herd", mixinStandardHelpOptions = true,
        subcommands = {Main.Node.class, Main.Setup.class, Main.Config.class, Main.ReplayCommand.class,
                Main.DigestCommand.class, LoadLocations.class},
        description = "A proxy server herd backed by Kafka.")
public final class Main {
    @Option(names = "--config", description = "configuration file (default: ${DEFAULT-VALUE}; env HERD_CONFIG)",
            defaultValue = "${env:HERD_CONFIG:-config/herd.properties}", scope = CommandLine.ScopeType.INHERIT)
    Path configFile;

    HerdConfig config() throws Exception {
        return HerdConfig.load(configFile, System.getenv());
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                // a bad setting or argument: the message says which and what it must be
                cmd.getErr().println("herd: " + e.getMessage());
                return 2;
            }
            throw e;
        }).execute(args));
    }

    @Command(name = "node", description = "Run one node until it is stopped (SIGTERM or Ctrl-C).")
    static final class Node implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main parent;

        @Parameters(index = "0", description = "node name, e.g. Alford")
        String name;

        @Override
        public Integer call() throws Exception {
            HerdNode node = HerdNode.start(parent.config(), name, true, Map.of());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                node.close();
                stopped.countDown();
            }, "herd-shutdown"));
            System.out.printf("%s ready: line protocol on port %d, HTTP on port %d%n",
                    node.name(), node.tcpPort(), node.httpPort());
            stopped.await();
            return 0;
        }
    }

    @Command(name = "setup", description = "Create the herd's topics (if missing) and load the bundled places (once).")
    static final class Setup implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main parent;

        @Override
        public Integer call() throws Exception {
            HerdConfig config = parent.config();
            try (Admin admin = Admin.create(config.kafkaClientSettings())) {
                TopicSetup.ensure(admin, config, java.time.Duration.ofMinutes(2));
            }
            Path data = Path.of(config.get(Settings.PLACES_DATASET));
            int n = PlacesSeeder.seed(config, PlacesSeeder.DATASET, PlacesSeeder.read(data, p -> true));
            System.out.println(n == 0 ? "places already loaded" : "loaded " + n + " places from " + data);
            return 0;
        }
    }

    @Command(name = "replay", description = "Rebuild nodes' state by replaying the topics; show progress until caught up.")
    static final class ReplayCommand implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main parent;

        @Option(names = "--all", description = "every node of the herd")
        boolean all;

        @Parameters(arity = "0..*", description = "node names")
        List<String> names = List.of();

        @Override
        public Integer call() throws Exception {
            HerdConfig config = parent.config();
            List<String> nodes = all ? config.nodes() : names.stream().map(config::nodeName).toList();
            if (nodes.isEmpty()) {
                throw new CommandLine.ParameterException(new CommandLine(this), "name a node, or --all");
            }
            return new Operators(config, System.out).replay(nodes);
        }
    }

    @Command(name = "digest", description = "Each node's client and place counts and a hash of its stores.")
    static final class DigestCommand implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main parent;

        @Override
        public Integer call() throws Exception {
            HerdConfig config = parent.config();
            return new Operators(config, System.out).digests(config.nodes());
        }
    }

    @Command(name = "config", description = "Print the resolved configuration, or one key's value.")
    static final class Config implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main parent;

        @Option(names = "--template", description = "print every key with its default and its doc "
                + "(what config/herd.properties holds) instead")
        boolean template;

        @Parameters(index = "0", arity = "0..1", description = "a key, e.g. kafka.bootstrap.servers")
        String key;

        @Override
        public Integer call() throws Exception {
            if (template) {
                System.out.print(Settings.template());
                return 0;
            }
            HerdConfig config = parent.config();
            if (key != null) {
                System.out.println(config.describe().getOrDefault(key, ""));
            } else {
                config.describe().forEach((k, v) -> System.out.println(k + "=" + v));
            }
            return 0;
        }
    }
}
