package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.LicenseApiClient;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker, a real process, killed with SIGKILL in the middle of a burst and started again. Clients retry with their
 * Idempotency-Key until they get an outcome. Afterwards every request has an outcome, every 200 is in the ledger
 * exactly once, the total equals the ledger's sum, and the license is not past its limit.
 */
class WorkerCrashIT {

    static final String HW = "crash-device";
    static final int MAX = 150;
    static final int MOVE_LIMIT = 1_000;
    static final JsonMapper JSON = JsonMapper.builder().build();

    static TestInfrastructure infra;
    static TallyPipeline.Settings settings;
    static TallyPipeline gateway;
    static String jdbcUrl;
    static WorkerProcess worker;

    @BeforeAll
    static void start() throws Exception {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        jdbcUrl = infra.newDatabase("worker_crash_it");
        settings = new TallyPipeline.Settings(
                infra.bootstrapServers(),
                jdbcUrl,
                db.username(),
                db.password(),
                "crash-envelope-key-0123456789",
                0,
                0,
                3);
        worker = startWorkerProcess();
        // The worker migrated the database; the tenant is published by the worker at its next start.
        sql(
                "insert into tenant (id, name, api_key, shared_key, management_key_sha256) values "
                        + "('crash-tenant', 'Crash', 'crash-api', 'crash-shared-0123456789', encode(sha256('crash-mgmt'), 'hex'))");
        sql("insert into product (tenant_id, short_code, name) values ('crash-tenant', 'crash-app', 'Crash')");
        sql("insert into license (tenant_id, product_id, license_key, max_consumptions) "
                + "select 'crash-tenant', id, 'CRASH-1', " + MAX + " from product where short_code = 'crash-app'");
        sql("insert into device (license_id, hardware_id) select id, '" + HW
                + "' from license where license_key = 'CRASH-1'");
        sql("insert into license (tenant_id, product_id, license_key, max_consumptions) "
                + "select 'crash-tenant', id, 'MOVE-1', " + MOVE_LIMIT
                + " from product where short_code = 'crash-app'");
        sql("insert into device (license_id, hardware_id) select id, '" + HW
                + "' from license where license_key = 'MOVE-1'");
        worker.stop();
        worker = startWorkerProcess();
        // Shorter than a dead worker's partitions take to move (its 10 s session timeout): calls in flight at the
        // kill meet it, are answered request_pending and retried.
        gateway = TallyPipeline.gatewayOnly(settings, Map.of("tally.reply-timeout", "3s"));
        gateway.awaitGatewayReady(Duration.ofMinutes(1));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (gateway != null) {
            gateway.close();
        }
        if (worker != null) {
            worker.stop();
        }
    }

    @Test
    void shouldLoseNothingAndApplyNothingTwiceWhenTheWorkerIsKilled() throws Exception {
        var client = new LicenseApiClient(URI.create(gateway.gatewayUrl()), "crash-api", "crash-shared-0123456789");
        awaitKeysKnown(client);
        int requests = 200;
        var ok = new AtomicInteger();
        var refused = new AtomicInteger();
        var retries = new AtomicInteger();
        var start = new CountDownLatch(1);

        // when: a burst of 200 calls of 1 (limit 150), the worker killed a moment into it, then started again
        List<Future<?>> calls = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < requests; i++) {
                String key = "crash-" + i;
                calls.add(pool.submit(() -> {
                    start.await();
                    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                    while (System.nanoTime() < deadline) {
                        var response = client.post(
                                "add_consumption",
                                Map.of("product", "crash-app", "license_key", "CRASH-1", "hardware_id", HW),
                                Map.of("Idempotency-Key", key));
                        if (response.status() == 200) {
                            ok.incrementAndGet();
                            return null;
                        }
                        if (response.status() == 400) {
                            assertThat(JSON.readTree(response.body())
                                            .get("code")
                                            .asString())
                                    .isEqualTo("license_not_enough_consumptions");
                            refused.incrementAndGet();
                            return null;
                        }
                        retries.incrementAndGet();
                        Thread.sleep(200); // 503 while the worker is down: retry with the same key
                    }
                    throw new AssertionError("no outcome for " + key);
                }));
            }
            start.countDown();
            // Kill it once some calls have succeeded: the burst is under way.
            long killDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (ok.get() < 40 && System.nanoTime() < killDeadline) {
                Thread.sleep(5);
            }
            worker.kill();
            Thread.sleep(1000);
            worker = startWorkerProcess();
            for (Future<?> call : calls) {
                call.get(3, TimeUnit.MINUTES);
            }
        }

        // then
        assertThat(retries.get())
                .as("calls that met the dead worker and were retried")
                .isPositive();
        assertThat(ok.get() + refused.get()).isEqualTo(requests);
        assertThat(ok.get()).isEqualTo(MAX);
        long total = queryLong("select total_consumptions from license where license_key = 'CRASH-1'");
        long applied = queryLong("select count(*) from command_ledger where outcome = 'LicenseConsumed'");
        assertThat(total).isEqualTo(applied).isEqualTo(MAX);
        // each key applied at most once: every applied command is the first use of its key
        assertThat(queryLong(
                        "select count(*) from command_ledger l join idempotency_key k on k.command_id = l.command_id "
                                + "where l.outcome = 'LicenseConsumed'"))
                .isEqualTo(applied);
    }

    @Test
    void shouldApplyEachCommandOnceWhileAWorkerJoinsAndLeaves() throws Exception {
        var client = new LicenseApiClient(URI.create(gateway.gatewayUrl()), "crash-api", "crash-shared-0123456789");
        awaitKeysKnown(client);
        var ok = new AtomicInteger();
        var refused = new AtomicInteger();
        var stopAt = new java.util.concurrent.atomic.AtomicLong(
                System.nanoTime() + Duration.ofSeconds(40).toNanos());
        var sent = new AtomicInteger();

        // when: steady traffic while a second worker process joins the group (partitions move to it) and later stops
        // (they move back)
        List<Future<?>> clients = new ArrayList<>();
        WorkerProcess second;
        try (var pool = Executors.newFixedThreadPool(6)) {
            for (int c = 0; c < 6; c++) {
                int clientNumber = c;
                clients.add(pool.submit(() -> {
                    int n = 0;
                    while (System.nanoTime() < stopAt.get()) {
                        String key = "move-" + clientNumber + "-" + n++;
                        sent.incrementAndGet();
                        outcome(client, key, ok, refused);
                        Thread.sleep(50);
                    }
                    return null;
                }));
            }
            second = startWorkerProcess(); // joins: a rebalance
            Thread.sleep(5_000);
            second.stop(); // SIGTERM: leaves, another rebalance
            stopAt.set(System.nanoTime() + Duration.ofSeconds(3).toNanos());
            for (Future<?> call : clients) {
                call.get(3, TimeUnit.MINUTES);
            }
        }

        // then
        assertThat(ok.get() + refused.get()).isEqualTo(sent.get());
        long total = queryLong("select total_consumptions from license where license_key = 'MOVE-1'");
        long applied = queryLong("select count(*) from command_ledger l join license c on c.id = l.license_id "
                + "where c.license_key = 'MOVE-1' and l.outcome = 'LicenseConsumed'");
        assertThat(total)
                .isEqualTo(applied)
                .isEqualTo(Math.min(ok.get(), MOVE_LIMIT))
                .isLessThanOrEqualTo(MOVE_LIMIT);
    }

    /** One call with its Idempotency-Key, retried through 503s until it has an outcome. */
    private static void outcome(LicenseApiClient client, String key, AtomicInteger ok, AtomicInteger refused)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            var response = client.post(
                    "add_consumption",
                    Map.of("product", "crash-app", "license_key", "MOVE-1", "hardware_id", HW),
                    Map.of("Idempotency-Key", key));
            if (response.status() == 200) {
                ok.incrementAndGet();
                return;
            }
            if (response.status() == 400) {
                refused.incrementAndGet();
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no outcome for " + key);
    }

    /** The worker publishes the tenant's keys when it is ready; the gateway learns them a moment later. */
    private static void awaitKeysKnown(LicenseApiClient client) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var response = client.get(
                    "check_license", Map.of("product", "crash-app", "license_key", "CRASH-1", "hardware_id", HW));
            if (response.status() != 400
                    || !JSON.readTree(response.body()).get("code").asString().equals("invalid_api_key")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the gateway never learned the tenant's keys");
    }

    private static WorkerProcess startWorkerProcess() throws Exception {
        return WorkerProcess.start(TallyPipeline.workerArguments(settings));
    }

    private static void sql(String statement) throws SQLException {
        Database.execute(dataSource(), statement);
    }

    private static long queryLong(String query) throws SQLException {
        return Database.queryLong(dataSource(), query);
    }

    private static javax.sql.DataSource dataSource() {
        var db = infra.databaseServer();
        var dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setURL(jdbcUrl);
        dataSource.setUser(db.username());
        dataSource.setPassword(db.password());
        return dataSource;
    }
}
