package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.DemoSeeder;
import io.tally.client.LicenseApiClient;
import io.tally.protocol.TenantCredentials;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Both services publish what they did on their Prometheus endpoints, with figures that match the traffic sent. */
class ObservabilityIT {

    static final TenantCredentials TENANT =
            new TenantCredentials("metrics-tenant", "metrics-api", "metrics-shared-0123456789", "metrics-mgmt");

    static TallyPipeline pipeline;

    @BeforeAll
    static void start() throws Exception {
        var infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        String jdbcUrl = infra.newDatabase("observability_it");
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(),
                jdbcUrl,
                db.username(),
                db.password(),
                "metrics-envelope-key-0123456789ab",
                0,
                0,
                3));
        pipeline.tenants().register("Metrics company", TENANT);
        pipeline.startGateway();
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldCountRequestsDecisionsAndRefusalsOnBothPrometheusEndpoints() throws Exception {
        // given
        URI gateway = URI.create(pipeline.gatewayUrl());
        new DemoSeeder(gateway, TENANT.apiKey(), TENANT.sharedKey(), TENANT.managementKey()).seed();
        var client = new LicenseApiClient(gateway, TENANT.apiKey(), TENANT.sharedKey());
        Map<String, Object> license = Map.of(
                "product", DemoSeeder.PRODUCT,
                "license_key", DemoSeeder.LICENSE_KEY,
                "hardware_id", DemoSeeder.HARDWARE_ID);
        client.post("activate_license", license);
        for (int i = 0; i < 3; i++) {
            assertThat(client.post("add_consumption", license).status()).isEqualTo(200);
        }
        var refused = new java.util.HashMap<String, Object>(license);
        refused.put("consumptions", 1_000_000);
        assertThat(client.post("add_consumption", refused).status()).isEqualTo(400);
        // Served by Spring MVC, where the calls with a body are served ahead of it (DirectCalls): both timed alike.
        assertThat(client.get("check_license", license).status()).isEqualTo(200);

        // when
        String gatewayMetrics = scrape(pipeline.gatewayUrl());
        String workerMetrics = scrape(pipeline.workerUrl());

        // then
        assertThat(value(workerMetrics, "tally_worker_decisions_total", "code=\"none\",outcome=\"LicenseConsumed\""))
                .isEqualTo(3);
        assertThat(value(
                        workerMetrics,
                        "tally_worker_decisions_total",
                        "code=\"license_not_enough_consumptions\",outcome=\"CommandRejected\""))
                .isEqualTo(1);
        assertThat(value(workerMetrics, "tally_worker_batch_commands_count", ""))
                .isPositive();
        assertThat(value(workerMetrics, "tally_worker_command_age_seconds_count", ""))
                .isGreaterThanOrEqualTo(4);
        assertThat(workerMetrics)
                .contains("tally_worker_batch_duration_seconds_bucket", "tally_worker_dead_letters_total");
        assertThat(value(
                        gatewayMetrics,
                        "tally_gateway_errors_total",
                        "code=\"license_not_enough_consumptions\",status=\"400\""))
                .isEqualTo(1);
        assertThat(value(gatewayMetrics, "tally_gateway_reply_duration_seconds_count", ""))
                .isGreaterThanOrEqualTo(5);
        assertThat(value(gatewayMetrics, "tally_gateway_calls_waiting", "")).isZero();
        assertThat(value(gatewayMetrics, "tally_gateway_admission_limit", "")).isPositive();
        assertThat(gatewayMetrics)
                .contains(
                        "http_server_requests_seconds_count",
                        "outcome=\"SUCCESS\",status=\"200\",uri=\"/api/v4/add_consumption\"",
                        "outcome=\"CLIENT_ERROR\",status=\"400\",uri=\"/api/v4/add_consumption\"",
                        "uri=\"/api/v4/activate_license\"",
                        "uri=\"/api/v4/check_license\"")
                .contains("tally_gateway_reply_timeouts_total", "tally_gateway_calls_refused_total");
    }

    @Test
    void shouldFindEverySeriesTheGrafanaDashboardQueriesOnTheEndpoints() throws Exception {
        // given: the provisioned dashboard of docker-compose.yml, and traffic on both services
        var dashboard = java.nio.file.Path.of(System.getProperty("basedir", "."))
                .resolve("../deploy/grafana/dashboards/tally.json");
        String queries = java.nio.file.Files.readString(dashboard);
        new LicenseApiClient(URI.create(pipeline.gatewayUrl()), TENANT.apiKey(), TENANT.sharedKey())
                .post("add_consumption", Map.of("product", "none", "license_key", "none", "hardware_id", "x"));

        // when
        String scraped = scrape(pipeline.gatewayUrl()) + scrape(pipeline.workerUrl());

        // then
        var names = new java.util.TreeSet<String>();
        Matcher metric = Pattern.compile(
                        "\\b(tally_[a-z_]+|http_server_requests_seconds_[a-z]+|kafka_consumer_[a-z_]+)")
                .matcher(queries);
        while (metric.find()) {
            names.add(metric.group(1));
        }
        assertThat(names).hasSizeGreaterThan(10);
        assertThat(names)
                .allSatisfy(name -> assertThat(Pattern.compile("^" + name + "[{ ]", Pattern.MULTILINE)
                                .matcher(scraped)
                                .find())
                        .as(name)
                        .isTrue());
    }

    @Test
    void shouldLogADeadLetterUnderTheRequestIdOfItsCommand() throws Exception {
        // given: logs captured as the services write them
        var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        appender.start();
        var root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        String requestId = java.util.UUID.randomUUID().toString();
        try {
            // when: a well-formed command with that request id, signed with a key the worker does not have (the broker
            // is shared with other tests, which read every command and check it against its schema)
            String signature = ForeignCommands.send(
                    TestInfrastructure.get().bootstrapServers(),
                    java.util.UUID.fromString(requestId),
                    TENANT.tenantId(),
                    new io.tally.protocol.LicenseRef(DemoSeeder.PRODUCT, "NOT-SIGNED-BY-US", null),
                    DemoSeeder.HARDWARE_ID);

            // then
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            java.util.Optional<ch.qos.logback.classic.spi.ILoggingEvent> logged = java.util.Optional.empty();
            while (logged.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
                logged = java.util.List.copyOf(appender.list).stream()
                        .filter(event ->
                                requestId.equals(event.getMDCPropertyMap().get("request_id")))
                        .findFirst();
            }
            assertThat(logged).isPresent();
            assertThat(logged.orElseThrow().getFormattedMessage())
                    .startsWith("Dead-lettering record tally.commands.v1-")
                    .doesNotContain(signature);
        } finally {
            root.detachAppender(appender);
        }
    }

    private static String scrape(String baseUrl) throws Exception {
        var response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(baseUrl + "/actuator/prometheus"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The value of the series {@code name} whose labels contain {@code labels} (the whole label set when empty). */
    private static double value(String metrics, String name, String labels) {
        Pattern series =
                Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$", Pattern.MULTILINE);
        Matcher matcher = series.matcher(metrics);
        while (matcher.find()) {
            String found = matcher.group(1) == null ? "" : matcher.group(1);
            if (found.contains(labels)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        throw new AssertionError("no series " + name + " with " + labels + " in:\n"
                + metrics.lines()
                        .filter(line -> line.startsWith(name.substring(0, name.indexOf('_', 6))))
                        .toList());
    }
}
