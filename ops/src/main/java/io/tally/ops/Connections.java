package io.tally.ops;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tally.protocol.EnvelopeSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Option;

/**
 * Where the tool finds Kafka, PostgreSQL and the envelope keys. Defaults fit {@code ./tally-embedded}; the worker's
 * environment variables override them, so the tool runs with the worker's own settings. Secrets are read from files
 * or the environment, never from the command line, where other users of the machine could see them.
 */
public final class Connections {

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "${env:SPRING_KAFKA_BOOTSTRAP_SERVERS:-localhost:19092}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}, env SPRING_KAFKA_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(
            names = "--jdbc-url",
            defaultValue = "${env:SPRING_DATASOURCE_URL:-jdbc:postgresql://127.0.0.1:15432/tally}",
            description = "The worker's database (default: ${DEFAULT-VALUE}, env SPRING_DATASOURCE_URL).")
    String jdbcUrl;

    @Option(
            names = "--db-user",
            defaultValue = "${env:SPRING_DATASOURCE_USERNAME:-postgres}",
            description = "Database user (default: ${DEFAULT-VALUE}, env SPRING_DATASOURCE_USERNAME).")
    String databaseUser;

    @Option(
            names = "--db-password-file",
            description = "File holding the database password (else env SPRING_DATASOURCE_PASSWORD, else none).")
    Path databasePasswordFile;

    @Option(
            names = "--envelope-key",
            paramLabel = "ID=FILE",
            description = "An envelope key the worker accepts, read from FILE; repeat during a key rotation. Also"
                    + " read from env TALLY_ENVELOPEKEYS_<ID>. Default: k1=data/envelope.key when that file exists.")
    Map<String, Path> envelopeKeyFiles = new LinkedHashMap<>();

    @Option(
            names = "--kafka-config",
            paramLabel = "FILE",
            description = "Kafka client properties for TLS or SASL (security.protocol, ssl.truststore.location,"
                    + " sasl.jaas.config, ...), as in Kafka's own --command-config; a file, so secrets stay off the"
                    + " command line.")
    Path kafkaConfig;

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * The properties every Kafka client of the tool starts from: the bootstrap servers and, from {@code --kafka-config},
     * TLS or SASL settings.
     */
    public Properties kafkaProperties() {
        var properties = new Properties();
        if (kafkaConfig != null) {
            try (var reader = java.nio.file.Files.newBufferedReader(kafkaConfig)) {
                properties.load(reader);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read --kafka-config " + kafkaConfig + ": " + e.getMessage());
            }
        }
        properties.put("bootstrap.servers", bootstrapServers);
        return properties;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public Admin admin() {
        var properties = kafkaProperties();
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        return Admin.create(properties);
    }

    /**
     * A consumer that reads only committed records and commits nothing by itself.
     *
     * @param groupId its group, or {@code null} for a consumer that only reads assigned partitions
     */
    public KafkaConsumer<String, byte[]> committedReader(String groupId) {
        var properties = kafkaProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        if (groupId != null) {
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** A small pool on {@code url} with the configured user and password. */
    public HikariDataSource dataSource(String url) {
        var config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(databaseUser);
        config.setPassword(databasePassword());
        config.setMaximumPoolSize(2);
        config.setPoolName("tally-ops");
        return new HikariDataSource(config);
    }

    public HikariDataSource dataSource() {
        return dataSource(jdbcUrl);
    }

    /** The keys the worker verifies commands with, by id; at least one, or the tool cannot tell good records. */
    public EnvelopeSignature envelopeSignature() {
        Map<String, String> keys = new LinkedHashMap<>();
        System.getenv().forEach((name, value) -> {
            if (name.startsWith("TALLY_ENVELOPEKEYS_") && !value.isBlank()) {
                keys.put(name.substring("TALLY_ENVELOPEKEYS_".length()).toLowerCase(Locale.ROOT), value.trim());
            }
        });
        Map<String, Path> files = new LinkedHashMap<>(envelopeKeyFiles);
        if (files.isEmpty() && keys.isEmpty() && Files.isRegularFile(Path.of("data", "envelope.key"))) {
            files.put("k1", Path.of("data", "envelope.key"));
        }
        files.forEach((id, file) -> keys.put(id, read(file)));
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(
                    "no envelope key: pass --envelope-key ID=FILE or set TALLY_ENVELOPEKEYS_<ID> as for the worker");
        }
        return new EnvelopeSignature(keys.keySet().iterator().next(), keys);
    }

    String databasePassword() {
        if (databasePasswordFile != null) {
            return read(databasePasswordFile);
        }
        String fromEnvironment = System.getenv("SPRING_DATASOURCE_PASSWORD");
        return fromEnvironment == null ? "" : fromEnvironment;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            // The path is safe to name; the contents are never printed.
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
