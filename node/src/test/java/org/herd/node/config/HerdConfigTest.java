package org.herd.node.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HerdConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsThenFileThenEnvironment() throws Exception {
        Path file = dir.resolve("herd.properties");
        Files.writeString(file, "write.timeout.ms=7000\nnode.Alford.tcp.port=13001\n");
        HerdConfig c = HerdConfig.load(file, Map.of("HERD_NODE_ALFORD_TCP_PORT", "14001",
                "HERD_READ_FRESHNESS_TIMEOUT_MS", "250"));
        assertThat(c.get(Settings.WRITE_TIMEOUT)).hasMillis(7000);
        assertThat(c.tcpPort("Alford")).isEqualTo(14001);
        assertThat(c.get(Settings.READ_FRESHNESS_TIMEOUT)).hasMillis(250);
        assertThat(c.tcpPort("Welsh")).isEqualTo(12005);
        assertThat(c.httpPort("Ball")).isEqualTo(18002);
        assertThat(c.adminPort("Hamilton")).isEqualTo(17003);
        assertThat(c.get(Settings.KAFKA_EMBEDDED)).isTrue();
    }

    @Test
    void kafkaBootstrapServersMeansAnExternalCluster() throws Exception {
        HerdConfig c = HerdConfig.load(null, Map.of("KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092"));
        assertThat(c.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(c.get(Settings.KAFKA_EMBEDDED)).isFalse();
    }

    @Test
    void tlsAndSaslSettingsReachEveryKafkaClientAndSecretsAreMasked() throws Exception {
        Path file = dir.resolve("herd.properties");
        Files.writeString(file, String.join("\n",
                "kafka.client.security.protocol=SASL_SSL",
                "kafka.client.sasl.mechanism=SCRAM-SHA-512",
                "kafka.client.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"herd\" password=\"s3cret\";",
                "kafka.client.ssl.truststore.location=/etc/herd/truststore.jks",
                "kafka.client.ssl.truststore.password=changeit",
                "places.google.api.key=AIza-secret", ""));
        HerdConfig c = HerdConfig.load(file, Map.of());
        assertThat(c.kafkaClientSettings())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/herd/truststore.jks")
                .containsKey("sasl.jaas.config")
                .containsEntry("bootstrap.servers", "127.0.0.1:19092");
        assertThat(c.describe().toString()).doesNotContain("s3cret").doesNotContain("changeit")
                .doesNotContain("AIza-secret").contains("SASL_SSL");
    }

    @Test
    void kafkaClientSettingsComeFromTheEnvironmentToo() throws Exception {
        HerdConfig c = HerdConfig.load(null, Map.of("HERD_KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL",
                "HERD_KAFKA_CLIENT_SSL_TRUSTSTORE_PASSWORD", "pw"));
        assertThat(c.kafkaClientSettings()).containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.password", "pw");
        assertThat(c.describe().toString()).doesNotContain("=pw");
    }

    @Test
    void nodeNamesMatchWithoutRegardToCase() {
        HerdConfig c = HerdConfig.of(Map.of());
        assertThat(c.nodeName("alford")).isEqualTo("Alford");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.nodeName("Nobody"))
                .hasMessageContaining("unknown node");
    }

    @Test
    void theConfigFileIsTheSettingsRendered() throws Exception {
        // every key, its default and its doc live in Settings; the file is their rendering
        assertThat(Files.readString(Path.of("..", "config", "herd.properties"))).isEqualTo(Settings.template());
        java.util.Properties file = new java.util.Properties();
        file.load(new java.io.StringReader(Settings.template()));
        Map<String, String> fromFile = new java.util.TreeMap<>();
        file.stringPropertyNames().forEach(k -> fromFile.put(k, file.getProperty(k).trim()));
        assertThat(fromFile).isEqualTo(new java.util.TreeMap<>(HerdConfig.defaults()));
    }

    @Test
    void everySettingHasADocAndAValidDefault() {
        assertThat(Settings.all()).extracting(Setting::key).doesNotHaveDuplicates();
        for (Setting<?> s : Settings.all()) {
            assertThat(s.doc()).as(s.key()).isNotBlank();
            assertThat(s.read(s.defaultValue())).as(s.key()).isNotNull();
        }
    }

    @Test
    void aBadValueStopsTheNodeAtStartNamingTheKeyAndTheRule() throws Exception {
        Path file = dir.resolve("herd.properties");
        Files.writeString(file, "connection.max=lots\n");
        assertThatThrownBy(() -> HerdConfig.load(file, Map.of()))
                .hasMessage("configuration key connection.max must be a whole number >= 1, not 'lots'");
        assertThatThrownBy(() -> HerdConfig.load(null, Map.of("HERD_WRITE_TIMEOUT_MS", "0")))
                .hasMessage("configuration key write.timeout.ms must be a positive number of milliseconds, not '0'");
        assertThatThrownBy(() -> HerdConfig.of(Map.of("places.google.fallback", "maybe")))
                .hasMessage("configuration key places.google.fallback must be one of [local, error], not 'maybe'");
        assertThatThrownBy(() -> HerdConfig.of(Map.of("herd.nodes", "Alford,Zed")))
                .hasMessage("missing configuration key node.Zed.tcp.port");
        assertThatThrownBy(() -> HerdConfig.of(Map.of("fences.derivation.pause.ms", "1001")))
                .hasMessage("configuration key fences.derivation.pause.ms must be from 0 to 1000 milliseconds, not '1001'");
        assertThatThrownBy(() -> HerdConfig.of(Map.of("replica.apply.pause.ms", "600")))
                .hasMessage("configuration key replica.apply.pause.ms must be at most half of read.freshness.timeout.ms (1000), not '600'");
        assertThat(HerdConfig.of(Map.of("replica.apply.pause.ms", "600", "read.freshness.timeout.ms", "1200"))
                .get(Settings.REPLICA_APPLY_PAUSE)).hasMillis(600);
    }
}
