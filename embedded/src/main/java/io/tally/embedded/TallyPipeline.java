package io.tally.embedded;

import io.tally.gateway.GatewayApplication;
import io.tally.protocol.TenantCredentials;
import io.tally.worker.WorkerApplication;
import io.tally.worker.demo.DemoSetup;
import io.tally.worker.tenant.TenantDirectory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The worker and the gateway, each in its own Spring context, wired to one Kafka cluster and one PostgreSQL
 * database. Start the worker first: it migrates the database, creates the topics and publishes the tenants' keys the
 * gateway reads.
 *
 * <p>Not thread-safe.
 */
public final class TallyPipeline implements AutoCloseable {

    /** Gateway-side exclusions: in one JVM the worker's database libraries are on the classpath too. */
    private static final String GATEWAY_EXCLUSIONS = String.join(
            ",",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.springframework.boot.jooq.autoconfigure.JooqAutoConfiguration");

    /**
     * @param envelopeKey the key gateway and worker share to sign and verify commands
     * @param gatewayPort HTTP port of the gateway, 0 for any
     * @param workerPort HTTP port of the worker's health endpoints, 0 for any
     */
    public record Settings(
            String bootstrapServers,
            String jdbcUrl,
            String databaseUser,
            String databasePassword,
            String envelopeKey,
            int gatewayPort,
            int workerPort,
            int partitions) {}

    private final Settings settings;
    private ConfigurableApplicationContext worker;
    private ConfigurableApplicationContext gateway;

    private TallyPipeline(Settings settings) {
        this.settings = settings;
    }

    /** Starts the worker only; call {@link #startGateway()} when the data the gateway needs is in place. */
    public static TallyPipeline startWorker(Settings settings) {
        return startWorker(settings, Map.of());
    }

    /** Starts the worker only, with {@code overrides} of its properties (e.g. TLS to the broker). */
    public static TallyPipeline startWorker(Settings settings, Map<String, Object> overrides) {
        var pipeline = new TallyPipeline(settings);
        pipeline.worker = runWorker(settings, overrides);
        return pipeline;
    }

    /** Stops the worker (its consumers leave the group); {@link #startWorkerAgain()} brings it back. */
    public void stopWorker() {
        worker.close();
    }

    public void startWorkerAgain() {
        startWorkerAgain(Map.of());
    }

    /** Starts the worker again with {@code overrides} of its properties, e.g. one more envelope key. */
    public void startWorkerAgain(Map<String, Object> overrides) {
        worker = runWorker(settings, overrides);
    }

    private static ConfigurableApplicationContext runWorker(Settings settings) {
        return runWorker(settings, Map.of());
    }

    private static ConfigurableApplicationContext runWorker(Settings settings, Map<String, Object> overrides) {
        Map<String, Object> properties = workerProperties(settings);
        properties.putAll(overrides);
        return WorkerApplication.builder().run(asArguments(properties));
    }

    public TallyPipeline startGateway() {
        return startGateway(Map.of());
    }

    /** Starts the gateway with {@code overrides} of its properties, e.g. a small {@code tally.max-in-flight}. */
    public TallyPipeline startGateway(Map<String, Object> overrides) {
        Map<String, Object> properties = common(settings);
        properties.put("spring.autoconfigure.exclude", GATEWAY_EXCLUSIONS);
        properties.put("server.port", settings.gatewayPort());
        properties.putAll(overrides);
        gateway = GatewayApplication.builder().run(asArguments(properties));
        return this;
    }

    /** Starts only the gateway, for a worker that runs elsewhere (another process). */
    public static TallyPipeline gatewayOnly(Settings settings) {
        return new TallyPipeline(settings).startGateway();
    }

    /** Starts only the gateway, with {@code overrides} of its properties, for a worker that runs elsewhere. */
    public static TallyPipeline gatewayOnly(Settings settings, Map<String, Object> overrides) {
        return new TallyPipeline(settings).startGateway(overrides);
    }

    /** The gateway's command line arguments, for running it as a process of its own on {@code port}. */
    public static String[] gatewayArguments(Settings settings, int port) {
        Map<String, Object> properties = common(settings);
        properties.put("spring.autoconfigure.exclude", GATEWAY_EXCLUSIONS);
        properties.put("server.port", port);
        return asArguments(properties);
    }

    /** The worker's command line arguments, for running it as a process of its own. */
    public static String[] workerArguments(Settings settings) {
        return asArguments(workerProperties(settings));
    }

    private static Map<String, Object> workerProperties(Settings settings) {
        Map<String, Object> properties = common(settings);
        properties.put("spring.datasource.url", settings.jdbcUrl());
        properties.put("spring.datasource.username", settings.databaseUser());
        properties.put("spring.datasource.password", settings.databasePassword());
        properties.put("server.port", settings.workerPort());
        properties.put("tally.partitions", settings.partitions());
        return properties;
    }

    /** Starts both services, the worker first. */
    public static TallyPipeline start(Settings settings) {
        return startWorker(settings).startGateway();
    }

    public String gatewayUrl() {
        return "http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port");
    }

    /**
     * Where the gateway serves health, metrics and the status page: its own port when {@code management.server.port} is
     * set, else the API's.
     */
    public String gatewayManagementUrl() {
        var environment = gateway.getEnvironment();
        return "http://127.0.0.1:"
                + environment.getProperty("local.management.port", environment.getProperty("local.server.port"));
    }

    /** The worker's HTTP address (health, metrics). */
    public String workerUrl() {
        return "http://127.0.0.1:" + worker.getEnvironment().getProperty("local.server.port");
    }

    public TenantCredentials registerDemoTenant() {
        return worker.getBean(DemoSetup.class).registerDemoTenant();
    }

    public TenantDirectory tenants() {
        return worker.getBean(TenantDirectory.class);
    }

    public DataSource dataSource() {
        return worker.getBean(DataSource.class);
    }

    /** Waits until the gateway's health says it can take calls (tenant keys read, reply partitions owned). */
    public void awaitGatewayReady(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                var response = http.send(
                        HttpRequest.newBuilder(URI.create(gatewayManagementUrl() + "/actuator/health"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("gateway not ready within " + timeout);
    }

    @Override
    public void close() {
        if (gateway != null) {
            gateway.close();
        }
        if (worker != null && worker.isActive()) {
            worker.close();
        }
    }

    /** As command-line arguments, which win over each service's own configuration file. */
    private static String[] asArguments(Map<String, Object> properties) {
        return properties.entrySet().stream()
                .map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
                .toArray(String[]::new);
    }

    private static Map<String, Object> common(Settings settings) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.kafka.bootstrap-servers", settings.bootstrapServers());
        properties.put("tally.envelope-keys.k1", settings.envelopeKey());
        properties.put("spring.main.banner-mode", "off");
        return properties;
    }
}
