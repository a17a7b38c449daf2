package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.LicenseApiClient;
import io.tally.protocol.Topics;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Kafka transaction of a batch off the decide loop (ADR 20): with every commit held open for two seconds
 * ({@code tally.fault.commit-delay}), calls are still answered at once, one after another; the worker, a real process,
 * SIGKILLed while commits are held open (between the PostgreSQL commit and the Kafka commit), or right after a Kafka
 * commit before any further batch, and started again applies
 * nothing twice; afterwards every command has one ledger row and one event for a read_committed reader, the total is
 * the ledger's, and a replay of the whole topic emits nothing new.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelinedCommitIT {

    static final String GROUP = "tally-worker-commands";
    static final String HW = "pipelined-device";
    static final String TENANT = "pipelined-tenant";
    static final String COMMIT_DELAY = "--tally.fault.commit-delay=2s";

    static TestInfrastructure infra;
    static TallyPipeline.Settings settings;
    static TallyPipeline gateway;
    static String jdbcUrl;
    static WorkerProcess worker;
    static LicenseApiClient client;
    static Map<TopicPartition, Long> commandsStart;
    static final List<String> answered = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        jdbcUrl = infra.newDatabase("pipelined_commit_it");
        settings = new TallyPipeline.Settings(
                infra.bootstrapServers(),
                jdbcUrl,
                db.username(),
                db.password(),
                "pipelined-envelope-0123456789",
                0,
                0,
                3);
        worker = startWorker();
        sql(
                "insert into tenant (id, name, api_key, shared_key, management_key_sha256) values ('" + TENANT
                        + "', 'Pipelined', 'pipelined-api', 'pipelined-shared-0123456789', encode(sha256('pipelined-mgmt'), 'hex'))");
        sql("insert into product (tenant_id, short_code, name) values ('" + TENANT + "', 'pipelined-app', 'P')");
        sql("insert into license (tenant_id, product_id, license_key, max_consumptions) select '" + TENANT
                + "', id, 'PIPE-1', 1000 from product where short_code = 'pipelined-app'");
        sql("insert into device (license_id, hardware_id) select id, '" + HW
                + "' from license where license_key = 'PIPE-1'");
        worker.stop();
        commandsStart = KafkaState.endOffsets(infra.bootstrapServers(), Topics.COMMANDS);
        worker = startWorker(COMMIT_DELAY); // publishes the tenant at start
        gateway = TallyPipeline.gatewayOnly(settings, Map.of("tally.reply-timeout", "10s"));
        gateway.awaitGatewayReady(Duration.ofMinutes(1));
        client = new LicenseApiClient(URI.create(gateway.gatewayUrl()), "pipelined-api", "pipelined-shared-0123456789");
        awaitKeysKnown();
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
    @Order(1)
    void shouldAnswerCallsAtOnceWhileTheirKafkaTransactionsAreHeldOpen() throws Exception {
        // when: calls one after another, each commit held open for two seconds
        List<Duration> took = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long started = System.nanoTime();
            var response = consume();
            took.add(Duration.ofNanos(System.nanoTime() - started));
            assertThat(response.status()).as(response.body()).isEqualTo(200);
        }

        // then: no call waited for an earlier call's commit (the second would have waited two seconds)
        assertThat(took).allSatisfy(duration -> assertThat(duration).isLessThan(Duration.ofMillis(1500)));
        awaitCaughtUp();
        assertThat(eventsPerRequest())
                .hasSize(answered.size())
                .allSatisfy((id, copies) -> assertThat(copies).isEqualTo(1));
    }

    @Test
    @Order(2)
    void shouldApplyNothingTwiceWhenTheWorkerIsKilledBetweenThePostgresqlAndTheKafkaCommit() throws Exception {
        // given: calls answered (their PostgreSQL transactions committed), their Kafka transactions held open
        for (int i = 0; i < 5; i++) {
            assertThat(consume().status()).isEqualTo(200);
        }

        // when: SIGKILL before those commits, and a worker without the delay takes over
        worker.kill();
        worker = startWorker();
        awaitCaughtUp();

        // then
        assertEveryAnsweredCallAppliedAndEmittedOnce();
    }

    @Test
    @Order(3)
    void shouldApplyNothingTwiceWhenTheWorkerIsKilledBetweenTheKafkaCommitAndTheNextBatch() throws Exception {
        // given: calls answered and their Kafka transactions committed, no batch after them
        for (int i = 0; i < 5; i++) {
            assertThat(consume().status()).isEqualTo(200);
        }
        awaitCaughtUp();

        // when: SIGKILL before any further batch, a new worker, and more calls
        worker.kill();
        worker = startWorker();
        for (int i = 0; i < 3; i++) {
            assertThat(consume().status()).isEqualTo(200);
        }
        awaitCaughtUp();

        // then
        assertEveryAnsweredCallAppliedAndEmittedOnce();
    }

    @Test
    @Order(4)
    void shouldEmitNothingNewWhenTheWholeTopicIsReplayed() throws Exception {
        // given
        long totalBefore = queryLong("select total_consumptions from license where license_key = 'PIPE-1'");
        worker.stop();

        // when: the group rewound to this class's start, as tally-ops replay does with the workers stopped
        try (var admin = Admin.create(Map.of("bootstrap.servers", infra.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> rewind = new java.util.HashMap<>();
            commandsStart.forEach((partition, offset) -> rewind.put(partition, new OffsetAndMetadata(offset)));
            admin.alterConsumerGroupOffsets(GROUP, rewind).all().get();
        }
        worker = startWorker();
        awaitCaughtUp();

        // then
        assertThat(queryLong("select total_consumptions from license where license_key = 'PIPE-1'"))
                .isEqualTo(totalBefore);
        assertThat(eventsPerRequest().values())
                .allSatisfy(copies -> assertThat(copies).isEqualTo(1));
    }

    /** One ledger row per command, one event each for a read_committed reader, and the total is the ledger's. */
    private static void assertEveryAnsweredCallAppliedAndEmittedOnce() throws SQLException {
        assertThat(queryLong("select count(*) from command_ledger where tenant_id = '" + TENANT
                        + "' and command_type = 'ConsumeLicense'"))
                .isEqualTo(answered.size());
        assertThat(queryLong("select total_consumptions from license where license_key = 'PIPE-1'"))
                .isEqualTo(answered.size())
                .isEqualTo(queryLong("select sum(total_after - total_before) from command_ledger where tenant_id = '"
                        + TENANT + "'"));
        Map<String, Integer> events = eventsPerRequest();
        assertThat(events.keySet()).containsExactlyInAnyOrderElementsOf(new HashSet<>(answered));
        assertThat(events.values()).allSatisfy(copies -> assertThat(copies).isEqualTo(1));
    }

    private static LicenseApiClient.Response consume() throws Exception {
        var response = client.post(
                "add_consumption",
                Map.of("product", "pipelined-app", "license_key", "PIPE-1", "hardware_id", HW, "consumptions", 1));
        if (response.status() == 200) {
            answered.add(response.headers().get("tally-request-id").getFirst());
        }
        return response;
    }

    /** How many events each of this tenant's requests has on the events topic, for a read_committed reader. */
    private static Map<String, Integer> eventsPerRequest() {
        Map<String, Integer> counts = new java.util.HashMap<>();
        KafkaState.eventsById(infra.bootstrapServers(), Set.copyOf(answered))
                .forEach((id, copies) -> counts.put(id, copies.size()));
        return counts;
    }

    private static void awaitCaughtUp() throws Exception {
        Map<TopicPartition, Long> end = KafkaState.endOffsets(infra.bootstrapServers(), Topics.COMMANDS);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            var committed = KafkaState.committed(infra.bootstrapServers(), GROUP);
            if (end.entrySet().stream()
                    .allMatch(e -> (committed.get(e.getKey()) == null
                                    ? 0
                                    : committed.get(e.getKey()).offset())
                            >= e.getValue())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the worker did not catch up: end " + end + ", committed "
                + KafkaState.committed(infra.bootstrapServers(), GROUP));
    }

    private static void awaitKeysKnown() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            var response = client.get(
                    "check_license", Map.of("product", "pipelined-app", "license_key", "PIPE-1", "hardware_id", HW));
            if (response.status() != 401) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the gateway never learned the tenant's keys");
    }

    private static WorkerProcess startWorker(String... more) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(TallyPipeline.workerArguments(settings)));
        arguments.addAll(List.of(more));
        return WorkerProcess.start(arguments.toArray(String[]::new));
    }

    private static void sql(String statement) throws SQLException {
        Database.execute(dataSource(), statement);
    }

    private static long queryLong(String query) throws SQLException {
        return Database.queryLong(dataSource(), query);
    }

    private static javax.sql.DataSource dataSource() {
        var db = infra.databaseServer();
        return Database.of(jdbcUrl, db.username(), db.password());
    }
}
