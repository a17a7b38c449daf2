package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.LicenseApiClient;
import io.tally.protocol.Topics;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * A floating license's seats through a worker killed with SIGKILL in a storm of check-ins, then through a replay of the
 * whole commands topic: every check-in answered, never more seats than {@code floating_users}, each decision's event
 * once, and the replay changes neither the seat table nor the events (ADR 25).
 */
class FloatingCrashIT {

    static final String TENANT = "float-crash-tenant";
    static final String API_KEY = "float-crash-api";
    static final String SHARED_KEY = "float-crash-shared-0123456789";
    static final String ENVELOPE_KEY = "float-crash-envelope-key-0123456789";
    static final int DEVICES = 100;
    static final int SEATS = 20;
    static final int ROUNDS = 3;
    static final String WORKER_GROUP = "tally-worker-commands";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path secrets;

    static TestInfrastructure infra;
    static TallyPipeline.Settings settings;
    static TallyPipeline gateway;
    static DataSource database;
    static String jdbcUrl;
    static WorkerProcess worker;

    @BeforeAll
    static void start() throws Exception {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        jdbcUrl = infra.newDatabase("floating_crash_it");
        database = Database.of(jdbcUrl, db.username(), db.password());
        settings = new TallyPipeline.Settings(
                infra.bootstrapServers(), jdbcUrl, db.username(), db.password(), ENVELOPE_KEY, 0, 0, 3);
        worker = WorkerProcess.start(TallyPipeline.workerArguments(settings));
        sql("insert into tenant (id, name, api_key, shared_key, management_key_sha256) values ('" + TENANT
                + "', 'Floating crash', '" + API_KEY + "', '" + SHARED_KEY
                + "', encode(sha256('float-crash-mgmt'), 'hex'))");
        sql("insert into product (tenant_id, short_code, name) values ('" + TENANT + "', 'seat-app', 'Seats')");
        sql("insert into license (tenant_id, product_id, license_key, license_type, max_activations,"
                + " is_floating_cloud, floating_users, floating_timeout) select '" + TENANT + "', id, 'SEATS-1',"
                + " 'perpetual', " + DEVICES + ", true, " + SEATS + ", 60 from product where short_code = 'seat-app'");
        sql("insert into device (license_id, hardware_id, active, activated_at) select l.id, 'seat-' || i, true,"
                + " now() from license l, generate_series(0, " + (DEVICES - 1) + ") i where l.license_key = 'SEATS-1'");
        // The worker publishes the tenant at its next start.
        worker.stop();
        worker = WorkerProcess.start(TallyPipeline.workerArguments(settings));
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
    void shouldKeepTheSeatsAndEventsThroughAKillAndAWholeTopicReplay() throws Exception {
        var client = new LicenseApiClient(URI.create(gateway.gatewayUrl()), API_KEY, SHARED_KEY);
        awaitKeysKnown(client);
        var seated = new AtomicInteger();
        var full = new AtomicInteger();
        var retries = new AtomicInteger();
        var start = new CountDownLatch(1);

        // when: every device checks in three times, the worker killed a moment into it, then started again
        List<Future<?>> calls = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(16)) {
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < DEVICES; i++) {
                    Map<String, Object> identity =
                            Map.of("product", "seat-app", "license_key", "SEATS-1", "hardware_id", "seat-" + i);
                    calls.add(pool.submit(() -> {
                        start.await();
                        long deadline =
                                System.nanoTime() + Duration.ofSeconds(120).toNanos();
                        while (System.nanoTime() < deadline) {
                            var response = client.get("check_license", identity);
                            if (response.status() == 200) {
                                seated.incrementAndGet();
                                return null;
                            }
                            if (response.status() == 400) {
                                assertThat(JSON.readTree(response.body())
                                                .get("code")
                                                .asString())
                                        .isEqualTo("floating_not_available");
                                full.incrementAndGet();
                                return null;
                            }
                            retries.incrementAndGet();
                            Thread.sleep(200); // 503 while the worker is down: check in again
                        }
                        throw new AssertionError("no outcome for " + identity);
                    }));
                }
            }
            start.countDown();
            long killDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seated.get() + full.get() < 60 && System.nanoTime() < killDeadline) {
                Thread.sleep(5);
            }
            worker.kill();
            Thread.sleep(1_000);
            worker = WorkerProcess.start(TallyPipeline.workerArguments(settings));
            for (Future<?> call : calls) {
                call.get(3, TimeUnit.MINUTES);
            }
        }
        awaitCaughtUp();

        // then: exactly the seats, each check-in decided once with one event
        assertThat(retries.get()).as("check-ins that met the dead worker").isPositive();
        assertThat(seated.get() + full.get()).isEqualTo(DEVICES * ROUNDS);
        String seats = "select hardware_id || ' ' || checked_in_at || ' ' || held_until from floating_seat"
                + " order by hardware_id";
        List<String> seatsBefore = Database.queryStrings(database, seats);
        assertThat(seatsBefore).hasSize(SEATS);
        List<String> decided = Database.queryStrings(database, "select command_id::text from command_ledger");
        Map<String, List<String>> events = KafkaState.eventsById(infra.bootstrapServers(), new HashSet<>(decided));
        assertThat(events)
                .hasSize(decided.size())
                .allSatisfy((id, copies) -> assertThat(copies).hasSize(1));
        long taken = events.values().stream()
                .map(copies -> JSON.readTree(copies.getFirst()))
                .flatMap(event -> event.path("seats").valueStream())
                .filter(seat -> seat.get("kind").asString().equals("taken"))
                .count();
        assertThat(taken).isEqualTo(SEATS);
        Map<TopicPartition, Long> eventsEnd = KafkaState.endOffsets(infra.bootstrapServers(), Topics.EVENTS);

        // and when: the worker stops as if killed before recording how far its events are committed, and the whole
        // commands topic is replayed
        worker.stop();
        sql("delete from event_emission_progress");
        var ops = OpsTool.connectedTo(infra, jdbcUrl, ENVELOPE_KEY, secrets);
        var replay = ops.run("replay", "--from-beginning", "--execute");
        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        worker = WorkerProcess.start(TallyPipeline.workerArguments(settings));
        awaitCaughtUp();

        // then: the same seats, the same ledger, not one event more
        assertThat(Database.queryStrings(database, seats)).isEqualTo(seatsBefore);
        assertThat(Database.queryLong(database, "select count(*) from command_ledger"))
                .isEqualTo(decided.size());
        assertThat(KafkaState.endOffsets(infra.bootstrapServers(), Topics.EVENTS))
                .isEqualTo(eventsEnd);
    }

    /** Until the worker group has committed past the last command of every partition. */
    private static void awaitCaughtUp() throws Exception {
        Map<TopicPartition, Long> end = KafkaState.endOffsets(infra.bootstrapServers(), Topics.COMMANDS);
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            var committed = KafkaState.committed(infra.bootstrapServers(), WORKER_GROUP);
            if (end.entrySet().stream().allMatch(entry -> {
                var offset = committed.get(entry.getKey());
                return (offset == null ? 0 : offset.offset()) >= entry.getValue();
            })) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the worker did not catch up with " + end + ": "
                + KafkaState.committed(infra.bootstrapServers(), WORKER_GROUP));
    }

    private static void awaitKeysKnown(LicenseApiClient client) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            var response = client.get(
                    "check_license", Map.of("product", "seat-app", "license_key", "SEATS-1", "hardware_id", "probe"));
            if (response.status() != 400
                    || !JSON.readTree(response.body()).get("code").asString().equals("invalid_api_key")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the gateway never learned the tenant's keys");
    }

    private static void sql(String statement) throws SQLException {
        Database.execute(database, statement);
    }
}
