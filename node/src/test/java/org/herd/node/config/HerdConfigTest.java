package org.herd.node.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HerdConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsThenFileThenEnvironment() throws Exception {
        Path file = dir.resolve("herd.properties");
        Files.writeString(file, "write.timeout.ms=7000\nnode.Alford.tcp.port=13001\n");
        HerdConfig c = HerdConfig.load(file, Map.of("HERD_NODE_ALFORD_TCP_PORT", "14001",
                "HERD_READ_FRESHNESS_TIMEOUT_MS", "250"));
        assertThat(c.getInt("write.timeout.ms")).isEqualTo(7000);
        assertThat(c.tcpPort("Alford")).isEqualTo(14001);
        assertThat(c.getInt("read.freshness.timeout.ms")).isEqualTo(250);
        assertThat(c.tcpPort("Welsh")).isEqualTo(12005);
        assertThat(c.httpPort("Ball")).isEqualTo(18002);
        assertThat(c.adminPort("Hamilton")).isEqualTo(17003);
        assertThat(c.get("kafka.embedded")).isEqualTo("true");
    }

    @Test
    void kafkaBootstrapServersMeansAnExternalCluster() throws Exception {
        HerdConfig c = HerdConfig.load(null, Map.of("KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092"));
        assertThat(c.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(c.get("kafka.embedded")).isEqualTo("false");
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
    void theConfigFileListsEveryKeyWithItsDefaultAndNothingElse() throws Exception {
        java.util.Properties file = new java.util.Properties();
        try (var in = java.nio.file.Files.newInputStream(Path.of("..", "config", "herd.properties"))) {
            file.load(in);
        }
        Map<String, String> fromFile = new java.util.TreeMap<>();
        file.stringPropertyNames().forEach(k -> fromFile.put(k, file.getProperty(k).trim()));
        assertThat(fromFile).isEqualTo(new java.util.TreeMap<>(HerdConfig.defaults()));
    }
}
