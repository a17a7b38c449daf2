package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.LicenseApiClient;
import io.tally.protocol.TenantCredentials;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway under more load than it may hold: with the worker gone, calls wait for replies that do not come; past
 * {@code tally.max-in-flight} waiting calls the gateway answers 429 with Retry-After at once instead of queueing, so
 * what it holds is bounded by that setting however many calls arrive. Nothing refused is applied; everything accepted
 * is applied once the worker is back.
 */
class GatewayBackpressureIT {

    static final int MAX_IN_FLIGHT = 8;
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(2);
    static final int CALLS = 300;
    static final String HW = "bp-device";
    static final TenantCredentials TENANT =
            new TenantCredentials("bp-tenant", "bp-api", "bp-shared-0123456789", "bp-mgmt");
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** A tenant held to a few requests a second (tally.tenant-rate-limits), beside the unlimited one above. */
    static final TenantCredentials LIMITED =
            new TenantCredentials("limited-tenant", "limited-api", "limited-shared-0123456789", "limited-mgmt");

    static final int LIMITED_PER_SECOND = 5;

    static TestInfrastructure infra;
    static TallyPipeline pipeline;
    static LicenseApiClient client;
    static DataSource database;

    @BeforeAll
    static void start() throws SQLException {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        String jdbcUrl = infra.newDatabase("gateway_backpressure_it");
        database = Database.of(jdbcUrl, db.username(), db.password());
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(),
                jdbcUrl,
                db.username(),
                db.password(),
                "bp-envelope-key-0123456789",
                0,
                0,
                3));
        pipeline.tenants().register("Backpressure company", TENANT);
        pipeline.tenants().register("Limited company", LIMITED);
        Database.execute(
                database,
                "insert into product (tenant_id, short_code, name) values ('limited-tenant', 'limited-app', 'L')");
        Database.execute(
                database,
                "insert into license (tenant_id, product_id, license_key, max_consumptions) "
                        + "select 'limited-tenant', id, 'LIM-1', 100000 from product where short_code = 'limited-app'");
        Database.execute(
                database,
                "insert into device (license_id, hardware_id) select id, '" + HW
                        + "' from license where license_key = 'LIM-1'");
        Database.execute(
                database, "insert into product (tenant_id, short_code, name) values ('bp-tenant', 'bp-app', 'BP')");
        Database.execute(
                database,
                "insert into license (tenant_id, product_id, license_key, max_consumptions) "
                        + "select 'bp-tenant', id, 'BP-1', 100000 from product where short_code = 'bp-app'");
        Database.execute(
                database,
                "insert into device (license_id, hardware_id) select id, '" + HW
                        + "' from license where license_key = 'BP-1'");
        pipeline.startGateway(Map.of(
                "tally.max-in-flight",
                MAX_IN_FLIGHT,
                "tally.reply-timeout",
                "2s",
                "tally.tenant-rate-limits.limited-tenant",
                LIMITED_PER_SECOND));
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
    void shouldRefuseWithTooManyRequestsAndApplyOnlyTheAcceptedWhenMoreCallsWaitThanAllowed() throws Exception {
        // given: no worker, so no call gets its reply
        pipeline.stopWorker();
        Map<String, Object> body =
                Map.of("product", "bp-app", "license_key", "BP-1", "hardware_id", HW, "consumptions", 1);

        // when: far more calls at once than may wait
        List<LicenseApiClient.Response> responses = new ArrayList<>();
        long started = System.nanoTime();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<LicenseApiClient.Response>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                calls.add(executor.submit(() -> client.post("add_consumption", body)));
            }
            for (Future<LicenseApiClient.Response> call : calls) {
                responses.add(call.get());
            }
        }
        Duration burst = Duration.ofNanos(System.nanoTime() - started);

        // then: accepted calls waited and were told pending; the rest were refused with 429 and Retry-After
        List<String> pending = new ArrayList<>();
        int refused = 0;
        for (LicenseApiClient.Response response : responses) {
            String code = JSON.readTree(response.body()).get("code").asString();
            if (response.status() == 429) {
                refused++;
                assertThat(code).isEqualTo("too_many_requests");
                assertThat(response.headers().get("retry-after")).isNotEmpty();
            } else {
                assertThat(response.status()).as(response.body()).isEqualTo(503);
                assertThat(code).isEqualTo("request_pending");
                pending.add(response.headers().get("tally-request-id").getFirst());
            }
        }
        System.out.printf(
                "GatewayBackpressureIT: %d calls in %d ms, %d waited (503 request_pending), %d refused with 429%n",
                CALLS, burst.toMillis(), pending.size(), refused);
        // A slot frees only when its call times out, so at most MAX_IN_FLIGHT calls per reply timeout get in.
        long windows = 1 + burst.toMillis() / REPLY_TIMEOUT.toMillis();
        assertThat(pending.size()).isBetween(1, (int) (MAX_IN_FLIGHT * windows));
        assertThat(refused).isEqualTo(CALLS - pending.size()).isPositive();

        // and when the worker is back: every accepted call is applied once, no refused one at all
        pipeline.startWorkerAgain();
        for (String requestId : pending) {
            assertThat(RequestOutcomes.await(client, requestId).get("total_consumptions"))
                    .isNotNull();
        }
        assertThat(Database.queryLong(database, "select total_consumptions from license where license_key = 'BP-1'"))
                .isEqualTo(pending.size());
        assertThat(Database.queryLong(
                        database,
                        "select count(*) from command_ledger where outcome = 'LicenseConsumed'"
                                + " and tenant_id = 'bp-tenant'"))
                .isEqualTo(pending.size());
    }

    @Test
    void shouldHoldATenantToItsRateWith429AndProduceNothingForTheRefused() throws Exception {
        // given
        var limited = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), LIMITED.apiKey(), LIMITED.sharedKey());
        Map<String, Object> body =
                Map.of("product", "limited-app", "license_key", "LIM-1", "hardware_id", HW, "consumptions", 1);
        int calls = 40;

        // when: calls one after another, as fast as they are answered
        int ok = 0;
        int refused = 0;
        long started = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            var response = limited.post("add_consumption", body);
            if (response.status() == 429) {
                refused++;
                assertThat(JSON.readTree(response.body()).get("code").asString())
                        .isEqualTo("too_many_requests");
                assertThat(response.headers().get("retry-after")).containsExactly("1");
            } else {
                assertThat(response.status()).as(response.body()).isEqualTo(200);
                ok++;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        // then: a second's worth at once, then the rate; nothing of the refused reached the worker
        System.out.printf(
                "GatewayBackpressureIT: tenant limited to %d/s: %d calls in %.2f s, %d answered, %d refused with 429%n",
                LIMITED_PER_SECOND, calls, seconds, ok, refused);
        assertThat(refused).isPositive();
        assertThat(ok).isBetween(LIMITED_PER_SECOND, (int) (LIMITED_PER_SECOND * (1 + seconds)) + 1);
        assertThat(Database.queryLong(
                        database, "select count(*) from command_ledger where tenant_id = 'limited-tenant'"))
                .isEqualTo(ok);
    }
}
