package io.tally.testsupport;

import io.tally.infra.EmbeddedKafka;
import io.tally.infra.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A real Kafka broker and a real PostgreSQL server, started once per test JVM and shared by its tests. Each test
 * asks for its own database ({@link #newDatabase}) and uses its own topics or consumer groups, so tests do not see
 * each other's data.
 *
 * <p>Thread-safe.
 */
public final class TestInfrastructure {

    private static final Logger LOGGER = LoggerFactory.getLogger(TestInfrastructure.class);

    /** Pinned images, in one place. */
    static final String KAFKA_IMAGE = "apache/kafka:4.1.2";

    static final String POSTGRES_IMAGE = "postgres:17.6";

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static volatile TestInfrastructure instance;

    private final Mode mode;
    private final String bootstrapServers;
    private final DatabaseServer database;
    private final EmbeddedKafka embeddedKafka;
    private final EmbeddedPostgres embeddedPostgres;

    /** Where the infrastructure runs. */
    public enum Mode {
        DOCKER,
        EMBEDDED
    }

    /** Connection details of the database server; {@code jdbcUrl(name)} for a database on it. */
    public record DatabaseServer(String urlPrefix, String username, String password) {
        public String jdbcUrl(String database) {
            return urlPrefix + database;
        }
    }

    private TestInfrastructure(
            Mode mode,
            String bootstrapServers,
            DatabaseServer database,
            EmbeddedKafka embeddedKafka,
            EmbeddedPostgres embeddedPostgres) {
        this.mode = mode;
        this.bootstrapServers = bootstrapServers;
        this.database = database;
        this.embeddedKafka = embeddedKafka;
        this.embeddedPostgres = embeddedPostgres;
    }

    /** The shared infrastructure, started on first use in the mode {@code -Dtest.infra} names. */
    public static TestInfrastructure get() {
        TestInfrastructure current = instance;
        if (current == null) {
            synchronized (TestInfrastructure.class) {
                current = instance;
                if (current == null) {
                    current = start(chooseMode());
                    instance = current;
                }
            }
        }
        return current;
    }

    public Mode mode() {
        return mode;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public DatabaseServer databaseServer() {
        return database;
    }

    /** The embedded broker, for tests that stop and restart it; empty in Docker mode. */
    public java.util.Optional<EmbeddedKafka> embeddedKafka() {
        return java.util.Optional.ofNullable(embeddedKafka);
    }

    /** The embedded database server, for tests that stop and restart it; empty in Docker mode. */
    public java.util.Optional<EmbeddedPostgres> embeddedPostgres() {
        return java.util.Optional.ofNullable(embeddedPostgres);
    }

    /** Creates an empty database with a unique name and returns its JDBC URL. */
    public String newDatabase(String prefix) {
        String name = (prefix + "_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet())
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        try (var connection = DriverManager.getConnection(
                        database.jdbcUrl("postgres"), database.username(), database.password());
                var statement = connection.createStatement()) {
            statement.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return database.jdbcUrl(name);
    }

    private static Mode chooseMode() {
        String requested = System.getProperty("test.infra", "auto").trim().toLowerCase(Locale.ROOT);
        return switch (requested) {
            case "docker" -> Mode.DOCKER;
            case "embedded" -> Mode.EMBEDDED;
            case "auto" -> dockerAnswers() ? Mode.DOCKER : Mode.EMBEDDED;
            default ->
                throw new IllegalArgumentException("test.infra must be auto, docker or embedded, not " + requested);
        };
    }

    /** A dead Docker socket can hang the probe forever, so it gets ten seconds. */
    private static boolean dockerAnswers() {
        var probe = CompletableFuture.supplyAsync(() -> {
            try {
                return DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException e) {
                return false;
            }
        });
        try {
            return probe.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            probe.cancel(true);
            return false;
        }
    }

    private static TestInfrastructure start(Mode mode) {
        LOGGER.info("Starting test infrastructure in {} mode", mode);
        if (mode == Mode.DOCKER) {
            var kafka = new KafkaContainer(KAFKA_IMAGE);
            var postgres = new PostgreSQLContainer(POSTGRES_IMAGE);
            kafka.start();
            postgres.start();
            String url = postgres.getJdbcUrl();
            String prefix = url.substring(0, url.lastIndexOf('/') + 1);
            return new TestInfrastructure(
                    mode,
                    kafka.getBootstrapServers(),
                    new DatabaseServer(prefix, postgres.getUsername(), postgres.getPassword()),
                    null,
                    null);
        }
        try {
            Path root = Files.createTempDirectory("tally-it-");
            var kafka = EmbeddedKafka.start(root.resolve("kafka"), 0);
            var postgres = EmbeddedPostgres.start(root.resolve("postgres"), 0, "postgres");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                kafka.close();
                postgres.close();
            }));
            String url = postgres.jdbcUrl("");
            return new TestInfrastructure(
                    mode, kafka.bootstrapServers(), new DatabaseServer(url, postgres.username(), ""), kafka, postgres);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
