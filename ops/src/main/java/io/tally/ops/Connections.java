package io.tally.ops;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tally.protocol.EnvelopeSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Option;

/**
 * Where the tool finds Kafka, PostgreSQL and the envelope keys. Defaults fit {@code ./tally-embedded}; the worker's
 * environment variables override them, so the tool runs with the worker's own settings. Secrets are read from files
 * or the environment, never from the command line, where other users of the machine could see them.
 *
 * <p>An unreachable Kafka or PostgreSQL fails a command within seconds ({@link #TIMEOUT}), not minutes: Kafka calls
 * give up after it unless {@code --kafka-config} sets the client's own timeouts, and a JDBC connection attempt after it
 * unless the URL sets {@code connectTimeout}.
 */
public final class Connections {

    /** How long the tool waits for Kafka or PostgreSQL to answer before it reports them unreachable. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final Pattern SECRET_PROPERTY =
            Pattern.compile("(?i).*(password|secret|token|jaas\\.config|keystore\\.key|credential).*");

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "${env:SPRING_KAFKA_BOOTSTRAP_SERVERS:-localhost:19092}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}, env SPRING_KAFKA_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(
            names = "--jdbc-url",
            defaultValue = "${env:SPRING_DATASOURCE_URL:-jdbc:postgresql://127.0.0.1:15432/tally}",
            // Not ${DEFAULT-VALUE}: a URL from the environment may hold a password, which --help must not print.
            description = "The worker's database (default: env SPRING_DATASOURCE_URL, else"
                    + " jdbc:postgresql://127.0.0.1:15432/tally).")
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
                    + " command line. Also for longer timeouts (default.api.timeout.ms, request.timeout.ms,"
                    + " max.block.ms; default 5 s).")
    Path kafkaConfig;

    /** Secret values read from files, to be masked wherever a message might repeat them. */
    private final Set<String> secretsRead = ConcurrentHashMap.newKeySet();

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
            try (var reader = Files.newBufferedReader(kafkaConfig)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --kafka-config " + kafkaConfig + ": " + reason(e));
            }
            properties.forEach((name, value) -> {
                if (SECRET_PROPERTY.matcher(name.toString()).matches()) {
                    secretsRead.add(value.toString());
                }
            });
        }
        properties.put("bootstrap.servers", bootstrapServers);
        return properties;
    }

    /**
     * The properties of a producer that gives up within {@link #TIMEOUT} when no broker answers (sends wait that long
     * for the topic's metadata).
     */
    public Properties producerProperties() {
        var properties = kafkaProperties();
        properties.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMillis());
        return properties;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** An admin client whose calls give up within {@link #TIMEOUT} when no broker answers. */
    public Admin admin() {
        var properties = kafkaProperties();
        properties.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis());
        // The admin client refuses an API timeout below the request timeout, which --kafka-config may have raised.
        int requestTimeout = Integer.parseInt(properties
                .get(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG)
                .toString()
                .trim());
        properties.putIfAbsent(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Math.max(timeoutMillis(), requestTimeout));
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
        // partitionsFor, endOffsets, committed, position: give up within seconds when no broker answers.
        properties.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis());
        if (groupId != null) {
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * A small pool on {@code url} with the configured user and password, connected: a database that cannot be reached
     * within {@link #TIMEOUT} fails here, with a {@link CannotRunException} that names it (password masked).
     */
    public HikariDataSource dataSource(String url) {
        var config = new HikariConfig();
        secretsRead.addAll(Redaction.secretsIn(url));
        config.setJdbcUrl(url);
        config.setUsername(databaseUser);
        config.setPassword(databasePassword());
        config.setMaximumPoolSize(2);
        config.setPoolName("tally-ops");
        config.setConnectionTimeout(TIMEOUT.toMillis());
        // PostgreSQL's socket connect timeout (default 10 s), in seconds; a connectTimeout in the URL wins.
        config.addDataSourceProperty("connectTimeout", String.valueOf(TIMEOUT.toSeconds()));
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new CannotRunException(cannotConnect(Redaction.maskUrl(url), e), e);
        }
    }

    public HikariDataSource dataSource() {
        return dataSource(jdbcUrl);
    }

    /** Why a pool could not connect, in one line: the network's reason, or PostgreSQL's. */
    private static String cannotConnect(String url, RuntimeException failure) {
        Throwable root = failure;
        SQLException database = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            root = cause;
            if (cause instanceof SQLException sql) {
                database = sql;
            }
        }
        if (root instanceof UnknownHostException) {
            return "cannot reach PostgreSQL at " + url + ": unknown host " + root.getMessage();
        }
        if (root instanceof SocketException || root instanceof SocketTimeoutException) {
            return "cannot reach PostgreSQL at " + url + ": "
                    + (root.getMessage() != null
                            ? root.getMessage()
                            : root.getClass().getSimpleName());
        }
        Throwable reason = database != null ? database : root;
        String message = reason.getMessage() != null
                ? reason.getMessage()
                : reason.getClass().getSimpleName();
        // A server error's first line is the error; the lines after it (detail, where) may quote data.
        return "cannot connect to PostgreSQL at " + url + ": "
                + message.lines().findFirst().orElse(message);
    }

    /**
     * The keys the worker verifies commands with, by id; at least one, or the tool can neither tell good records nor
     * write tenants records gateways accept.
     */
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
        files.forEach((id, file) -> keys.put(id, readSecret(file)));
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(
                    "no envelope key: pass --envelope-key ID=FILE or set TALLY_ENVELOPEKEYS_<ID> as for the worker");
        }
        // Signs tenants records as the worker does: with the lowest id, which every gateway has during a rotation.
        return new EnvelopeSignature(keys.keySet().stream().sorted().findFirst().orElseThrow(), keys);
    }

    String databasePassword() {
        if (databasePasswordFile != null) {
            return readSecret(databasePasswordFile);
        }
        String fromEnvironment = System.getenv("SPRING_DATASOURCE_PASSWORD");
        return fromEnvironment == null ? "" : fromEnvironment;
    }

    /**
     * Every secret value the tool knows of: the database password and envelope keys from the environment, those it
     * read from files, and those in the JDBC URLs (user-info, password parameters). Messages are scrubbed of them
     * before they are printed.
     */
    public Set<String> secrets() {
        Set<String> secrets = new HashSet<>(secretsRead);
        secrets.addAll(Redaction.secretsIn(jdbcUrl));
        System.getenv().forEach((name, value) -> {
            if (name.equals("SPRING_DATASOURCE_PASSWORD") || name.startsWith("TALLY_ENVELOPEKEYS_")) {
                secrets.add(value.trim());
            }
        });
        return secrets;
    }

    private String readSecret(Path file) {
        String secret;
        try {
            secret = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            // The path is safe to name; the contents are never printed.
            throw new UncheckedIOException("cannot read " + file + ": " + reason(e), e);
        }
        secretsRead.add(secret);
        return secret;
    }

    private static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException missing -> "no such file";
            case AccessDeniedException denied -> "permission denied";
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }

    private static int timeoutMillis() {
        return Math.toIntExact(TIMEOUT.toMillis());
    }
}
