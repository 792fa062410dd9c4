package org.herd.node;

import org.herd.node.config.HerdConfig;
import org.herd.node.config.Settings;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml and the Dockerfile checked against the code, without a Docker engine:
 * every node of the herd is there with its ports, every environment variable is one the node
 * reads, the brokers form one quorum, and the herd's topics are replicated as documented.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeploymentFilesTest {
    private static final Path ROOT = Path.of("..");
    private Map<String, Map<String, Object>> services;
    private HerdConfig defaults;

    @BeforeAll
    @SuppressWarnings("unchecked")
    void load() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        services = (Map<String, Map<String, Object>>) compose.get("services");
        defaults = HerdConfig.load(ROOT.resolve("config/herd.properties"), Map.of());
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> env(String service) {
        Map<String, Object> raw = (Map<String, Object>) services.get(service).get("environment");
        Map<String, String> out = new java.util.TreeMap<>();
        raw.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<String> list(String service, String key) {
        Object v = services.get(service).get(key);
        return v == null ? List.of() : ((List<Object>) v).stream().map(String::valueOf).toList();
    }

    private List<String> brokers() {
        return services.keySet().stream().filter(s -> String.valueOf(services.get(s).get("image"))
                .startsWith("apache/kafka:")).sorted().toList();
    }

    @Test
    void everyNodeOfTheHerdIsAServiceWithItsPorts() {
        for (String node : defaults.nodes()) {
            String service = node.toLowerCase();
            assertThat(services).as("service for %s", node).containsKey(service);
            assertThat(list(service, "command")).containsExactly("node", node);
            assertThat(list(service, "ports")).containsExactlyInAnyOrder(
                    defaults.tcpPort(node) + ":" + defaults.tcpPort(node),
                    defaults.httpPort(node) + ":" + defaults.httpPort(node),
                    // the operators' port only on the host's loopback
                    "127.0.0.1:" + defaults.adminPort(node) + ":" + defaults.adminPort(node));
            assertThat(env(service)).containsEntry("HERD_HEALTH_PORT", String.valueOf(defaults.httpPort(node)));
            assertThat(services.get(service).get("build")).isEqualTo(".");
        }
        long nodeServices = services.values().stream().filter(s -> list(s).contains("node")).count();
        assertThat(nodeServices).isEqualTo(defaults.nodes().size());
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Map<String, Object> service) {
        Object v = service.get("command");
        return v == null ? List.of() : ((List<Object>) v).stream().map(String::valueOf).toList();
    }

    @Test
    void everyEnvironmentVariableOfTheHerdIsOneTheNodeReads() throws Exception {
        Set<String> imageLevel = Set.of("JAVA_OPTS", "HERD_HEALTH_PORT");
        for (String service : services.keySet()) {
            if (brokers().contains(service)) {
                continue;
            }
            for (String name : env(service).keySet()) {
                assertThat(HerdConfig.readsEnv(name) || imageLevel.contains(name))
                        .as("%s in service %s", name, service).isTrue();
            }
            HerdConfig resolved = HerdConfig.load(Path.of("missing.properties"), env(service));
            assertThat(resolved.get(Settings.TOPICS_REPLICATION_FACTOR)).isEqualTo(3);
            assertThat(resolved.get(Settings.TOPICS_MIN_INSYNC_REPLICAS)).isEqualTo(2);
            assertThat(resolved.get(Settings.KAFKA_EMBEDDED)).isFalse();
            assertThat(resolved.bootstrapServers().split(",")).containsExactlyInAnyOrderElementsOf(
                    brokers().stream().map(b -> b + ":9092").toList());
            assertThat(resolved.get(Settings.HERD_BIND_HOST)).isEqualTo("0.0.0.0");
        }
    }

    @Test
    void threeBrokersFormOneQuorum() {
        List<String> brokers = brokers();
        assertThat(brokers).hasSize(3);
        Set<String> voters = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (String b : brokers) {
            Map<String, String> e = env(b);
            voters.add(e.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));
            ids.add(e.get("KAFKA_NODE_ID"));
            assertThat(e.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
            assertThat(e.get("KAFKA_ADVERTISED_LISTENERS")).isEqualTo("PLAINTEXT://" + b + ":9092");
            assertThat(e.get("KAFKA_MIN_INSYNC_REPLICAS")).isEqualTo("2");
            assertThat(e.get("CLUSTER_ID")).isEqualTo(env(brokers.get(0)).get("CLUSTER_ID"));
        }
        assertThat(voters).hasSize(1);
        assertThat(ids).hasSize(3);
        List<String> expected = new ArrayList<>();
        for (String b : brokers) {
            expected.add(env(b).get("KAFKA_NODE_ID") + "@" + b + ":9093");
        }
        assertThat(Arrays.asList(voters.iterator().next().split(","))).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void theDockerfileBuildsASmallNonRootImageWithAHealthCheck() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(Pattern.compile("(?m)^FROM ").matcher(dockerfile).results().count()).isEqualTo(2);
        assertThat(dockerfile).contains("AS build").containsPattern("(?m)^FROM eclipse-temurin:17-jre")
                .containsPattern("(?m)^USER herd").contains("HEALTHCHECK").contains("/health");
        Matcher main = Pattern.compile("org\\.herd\\.node\\.[A-Za-z]+").matcher(dockerfile);
        while (main.find()) {
            Class.forName(main.group()); // the entry point exists
        }
        Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+)").matcher(dockerfile);
        while (copy.find()) {
            assertThat(ROOT.resolve(copy.group(1))).as("COPY source %s", copy.group(1)).exists();
        }
        for (String key : List.of("HERD_STATE_DIR", "HERD_LOGS_DIR", "HERD_HERD_BIND_HOST", "HERD_CONFIG")) {
            assertThat(dockerfile).contains(key);
            assertThat(HerdConfig.readsEnv(key)).as(key).isTrue();
        }
        assertThat(dockerfile).contains("node/target/node-0.1.0-SNAPSHOT.jar");
    }
}
