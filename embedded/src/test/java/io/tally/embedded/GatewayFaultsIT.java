package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tally.client.LicenseApiClient;
import io.tally.protocol.TenantCredentials;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The gateway when answers are late or the broker is gone: it answers fast, never hangs, and loses nothing. */
class GatewayFaultsIT {

    static final String HW = "fault-device";
    static final TenantCredentials TENANT =
            new TenantCredentials("fault-tenant", "fault-api", "fault-shared-0123456789", "fault-mgmt");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static TestInfrastructure infra;
    static TallyPipeline pipeline;
    static LicenseApiClient client;

    @BeforeAll
    static void start() throws SQLException {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(),
                infra.newDatabase("gateway_faults_it"),
                db.username(),
                db.password(),
                "fault-envelope-key-0123456789abcdef",
                0,
                0,
                3));
        pipeline.tenants().register("Fault company", TENANT);
        sql("insert into product (tenant_id, short_code, name) values ('fault-tenant', 'fault-app', 'Faults')");
        for (String key : new String[] {"ASYNC-1", "DOWN-1", "PG-1"}) {
            sql(
                    "insert into license (tenant_id, product_id, license_key, max_consumptions) select 'fault-tenant', id, '"
                            + key + "', 100 from product where short_code = 'fault-app'");
            sql("insert into device (license_id, hardware_id) select id, '" + HW
                    + "' from license where license_key = '" + key + "'");
        }
        pipeline.startGateway();
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
        client = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), TENANT.apiKey(), TENANT.sharedKey());
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldAcceptAsynchronouslyAndReportTheOutcomeLater() throws Exception {
        // when
        var accepted = client.post(
                "add_consumption",
                Map.of("product", "fault-app", "license_key", "ASYNC-1", "hardware_id", HW, "consumptions", 4),
                Map.of("Prefer", "respond-async"));

        // then
        assertThat(accepted.status()).isEqualTo(202);
        String location = accepted.headers().get("location").getFirst();
        String requestId = accepted.headers().get("tally-request-id").getFirst();
        assertThat(location).isEqualTo("/api/v4/requests/" + requestId);
        JsonNode outcome = RequestOutcomes.await(client, requestId);
        assertThat(outcome.get("total_consumptions").asLong()).isEqualTo(4);
    }

    @Test
    void shouldSayPendingForARequestWithNoOutcome() throws Exception {
        var unknown = client.get("requests/" + java.util.UUID.randomUUID(), Map.of());

        assertThat(unknown.status()).isEqualTo(202);
        assertThat(JSON.readTree(unknown.body()).get("code").asString()).isEqualTo("request_pending");
    }

    @Test
    void shouldAnswerServiceUnavailableWithinTwoSecondsWhenTheBrokerIsGone() throws Exception {
        assumeTrue(infra.embeddedKafka().isPresent(), "stops the embedded broker");
        var broker = infra.embeddedKafka().orElseThrow();
        Map<String, Object> body =
                Map.of("product", "fault-app", "license_key", "DOWN-1", "hardware_id", HW, "consumptions", 1);
        assertThat(client.post("add_consumption", body).status()).isEqualTo(200);

        broker.stop();
        try {
            // when
            long started = System.nanoTime();
            var response = client.post("add_consumption", body);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            // then
            assertThat(response.status()).as(response.body()).isEqualTo(503);
            assertThat(JSON.readTree(response.body()).get("code").asString())
                    .isIn("service_unavailable", "request_pending");
            assertThat(took).isLessThan(Duration.ofSeconds(2));
            // and neither service says it is ready while the broker is gone
            assertThat(awaitReadiness(pipeline.gatewayUrl(), 503))
                    .as("gateway readiness")
                    .isEqualTo(503);
            assertThat(awaitReadiness(pipeline.workerUrl(), 503))
                    .as("worker readiness")
                    .isEqualTo(503);
        } finally {
            broker.restart();
        }
        assertThat(awaitReadiness(pipeline.gatewayUrl(), 200))
                .as("gateway readiness")
                .isEqualTo(200);
        assertThat(awaitReadiness(pipeline.workerUrl(), 200))
                .as("worker readiness")
                .isEqualTo(200);

        // and afterwards calls succeed again, with nothing lost or doubled
        JsonNode after = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            var response = client.post("add_consumption", body);
            if (response.status() == 200) {
                after = JSON.readTree(response.body());
                break;
            }
            Thread.sleep(500);
        }
        assertThat(after).as("a call succeeds after the broker is back").isNotNull();
        long total = after.get("total_consumptions").asLong();
        long applied = queryLong("select count(*) from command_ledger l join license c on c.id = l.license_id "
                + "where c.license_key = 'DOWN-1' and l.outcome = 'LicenseConsumed'");
        assertThat(total).isEqualTo(applied);
    }

    /** Polls the service's readiness for up to 30 s until it answers {@code status}; returns the last status. */
    private static int awaitReadiness(String baseUrl, int status) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        int last = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            last = http.send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create(baseUrl + "/actuator/health/readiness"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            if (last == status) {
                return last;
            }
            Thread.sleep(250);
        }
        return last;
    }

    @Test
    void shouldTakeTheWorkerOutOfReadinessWhilePostgresIsOutOfReach() throws Exception {
        assumeTrue(infra.embeddedPostgres().isPresent(), "stops the embedded database");
        var postgres = infra.embeddedPostgres().orElseThrow();
        assertThat(awaitReadiness(pipeline.workerUrl(), 200)).isEqualTo(200);

        // when
        postgres.stop();
        try {
            // then: the worker says it cannot work; the gateway, which never reads the database, still can
            assertThat(awaitReadiness(pipeline.workerUrl(), 503))
                    .as("worker readiness")
                    .isEqualTo(503);
            assertThat(awaitReadiness(pipeline.gatewayUrl(), 200))
                    .as("gateway readiness")
                    .isEqualTo(200);
        } finally {
            postgres.restart();
        }
        assertThat(awaitReadiness(pipeline.workerUrl(), 200))
                .as("worker readiness after the restart")
                .isEqualTo(200);
    }

    @Test
    void shouldLoseNothingAndApplyNothingTwiceWhenPostgresRestarts() throws Exception {
        assumeTrue(infra.embeddedPostgres().isPresent(), "stops the embedded database");
        var postgres = infra.embeddedPostgres().orElseThrow();
        int requests = 100;
        long limit = 100; // the license allows 100 in all
        var ok = new java.util.concurrent.atomic.AtomicInteger();
        var start = new java.util.concurrent.CountDownLatch(1);
        int okAtStop;
        Map<String, Object> body = Map.of("product", "fault-app", "license_key", "PG-1", "hardware_id", HW);

        // when: a burst with Idempotency-Key retries, PostgreSQL stopped for two seconds in the middle of it
        java.util.List<java.util.concurrent.Future<?>> calls = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < requests; i++) {
                String key = "pg-" + i;
                calls.add(pool.submit(() -> {
                    start.await();
                    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                    while (System.nanoTime() < deadline) {
                        var response = client.post("add_consumption", body, Map.of("Idempotency-Key", key));
                        if (response.status() == 200) {
                            ok.incrementAndGet();
                            return null;
                        }
                        assertThat(response.status()).as(response.body()).isEqualTo(503);
                        Thread.sleep(200);
                    }
                    throw new AssertionError("no outcome for " + key);
                }));
            }
            start.countDown();
            long killDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (ok.get() < 20 && System.nanoTime() < killDeadline) {
                Thread.sleep(5);
            }
            okAtStop = ok.get();
            postgres.stop();
            Thread.sleep(2000);
            postgres.restart();
            for (var call : calls) {
                call.get(3, java.util.concurrent.TimeUnit.MINUTES);
            }
        }

        // then
        // the outage hit the burst: calls still open then were delayed, or answered 503 and retried
        assertThat(okAtStop).as("calls answered before the database stopped").isLessThan(requests);
        assertThat(ok.get()).isEqualTo(requests);
        long total = queryLong("select total_consumptions from license where license_key = 'PG-1'");
        long applied = queryLong("select count(*) from command_ledger l join license c on c.id = l.license_id "
                + "where c.license_key = 'PG-1' and l.outcome = 'LicenseConsumed'");
        assertThat(total).isEqualTo(applied).isEqualTo(requests).isLessThanOrEqualTo(limit);
    }

    private static void sql(String statement) throws SQLException {
        Database.execute(pipeline.dataSource(), statement);
    }

    private static long queryLong(String query) throws SQLException {
        return Database.queryLong(pipeline.dataSource(), query);
    }
}
