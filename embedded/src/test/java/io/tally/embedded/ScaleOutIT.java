package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.LicenseApiClient;
import io.tally.infra.EmbeddedKafkaCluster;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tally scaled out on one machine: a Kafka cluster of three KRaft nodes (topics with three replicas, two in sync),
 * three worker processes in one consumer group and two gateways sharing the replies topic. A signed burst goes through
 * both gateways, every call with an Idempotency-Key and retried (through either gateway) until it has an outcome,
 * while one worker is killed with SIGKILL, a fourth worker joins, one broker is stopped and one gateway is killed.
 * Afterwards every call answered 200 is in the ledger exactly once, every license's total is its ledger's, and none
 * is over its limit. The tests run in order: the burst ends with one gateway.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ScaleOutIT {

    static final String TENANT = "scale-tenant";
    static final String API_KEY = "scale-api";
    static final String SHARED_KEY = "scale-shared-0123456789";
    static final String PRODUCT = "scale-app";
    static final String HW = "scale-device";
    static final int LICENSES = 12;
    static final int LIMIT = 100;
    /** More calls than the licenses allow in all, so that limits are reached while the faults happen. */
    static final int CALLS = 1_600;

    static final int CLIENTS = 16;
    /**
     * The calls are spread over this long (open loop: the last one is not sent before the end), so that every fault,
     * the fourth worker's start-up included, happens while calls are still coming.
     */
    static final Duration BURST = Duration.ofSeconds(60);

    static final JsonMapper JSON = JsonMapper.builder().build();

    static EmbeddedKafkaCluster kafka;
    static TallyPipeline.Settings settings;
    static String jdbcUrl;
    static final List<WorkerProcess> workers = new ArrayList<>();
    static final List<TallyPipeline> gateways = new ArrayList<>();
    static final List<String> gatewayUrls = new ArrayList<>();
    static WorkerProcess killableGateway;

    @BeforeAll
    static void start() throws Exception {
        var infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        jdbcUrl = infra.newDatabase("scale_out_it");
        kafka = EmbeddedKafkaCluster.start(Files.createTempDirectory("scale-out-kafka"), 3);
        settings = new TallyPipeline.Settings(
                kafka.bootstrapServers(),
                jdbcUrl,
                db.username(),
                db.password(),
                "scale-envelope-key-0123456789ab",
                0,
                0,
                6);
        // The first worker migrates the database and creates the topics; the tenant it publishes at its next start.
        var first = startWorker();
        sql("insert into tenant (id, name, api_key, shared_key, management_key_sha256) values ('" + TENANT
                + "', 'Scale', '" + API_KEY + "', '" + SHARED_KEY + "', encode(sha256('scale-mgmt'), 'hex'))");
        sql("insert into product (tenant_id, short_code, name) values ('" + TENANT + "', '" + PRODUCT + "', 'Scale')");
        for (int i = 0; i < LICENSES; i++) {
            sql("insert into license (tenant_id, product_id, license_key, max_consumptions) select '" + TENANT
                    + "', id, '" + licenseKey(i) + "', " + LIMIT + " from product where short_code = '" + PRODUCT
                    + "'");
            sql("insert into device (license_id, hardware_id) select id, '" + HW
                    + "' from license where license_key = '" + licenseKey(i) + "'");
        }
        first.stop();
        try (var starting = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<WorkerProcess>> started = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                started.add(starting.submit(ScaleOutIT::startWorker));
            }
            for (Future<WorkerProcess> worker : started) {
                workers.add(worker.get());
            }
        }
        // One gateway in this JVM, the other a process of its own, to be killed like a crash.
        gateways.add(TallyPipeline.gatewayOnly(settings));
        int port = io.tally.infra.FreePorts.next();
        killableGateway = WorkerProcess.startGateway(TallyPipeline.gatewayArguments(settings, port));
        gatewayUrls.add(gateways.getFirst().gatewayUrl());
        gatewayUrls.add("http://127.0.0.1:" + port);
        gateways.getFirst().awaitGatewayReady(Duration.ofMinutes(2));
        awaitReady(gatewayUrls.getLast(), Duration.ofMinutes(2));
    }

    @AfterAll
    static void stop() throws Exception {
        for (TallyPipeline gateway : gateways) {
            gateway.close();
        }
        if (killableGateway != null) {
            killableGateway.kill();
        }
        for (WorkerProcess worker : workers) {
            worker.stop();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void shouldGiveEachGatewayReplyPartitionsOfItsOwnWithoutConfiguration() throws Exception {
        try (var admin =
                org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            var group = admin.describeConsumerGroups(List.of("tally-gateway-replies"))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get("tally-gateway-replies");
            List<java.util.Set<Integer>> owned = group.members().stream()
                    .map(member -> member.assignment().topicPartitions().stream()
                            .map(org.apache.kafka.common.TopicPartition::partition)
                            .collect(java.util.stream.Collectors.toSet()))
                    .toList();
            int partitions = admin.describeTopics(List.of(io.tally.protocol.Topics.REPLIES))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(io.tally.protocol.Topics.REPLIES)
                    .partitions()
                    .size();

            assertThat(owned).as("one member per gateway").hasSize(2);
            assertThat(owned).allSatisfy(mine -> assertThat(mine).isNotEmpty());
            assertThat(owned.get(0)).doesNotContainAnyElementsOf(owned.get(1));
            assertThat(owned.get(0).size() + owned.get(1).size()).isEqualTo(partitions);
        }
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void shouldApplyEveryAnsweredCallExactlyOnceWhenAWorkerCrashesAWorkerJoinsABrokerStopsAndAGatewayCrashes()
            throws Exception {
        // given
        List<LicenseApiClient> clients = gatewayUrls.stream()
                .map(url -> new LicenseApiClient(URI.create(url), API_KEY, SHARED_KEY))
                .toList();
        Map<String, Integer> outcomes = new ConcurrentHashMap<>();
        var answered = new AtomicInteger();
        var retries = new AtomicInteger();
        var next = new AtomicInteger();

        // when: the burst, and the faults while it runs
        List<Future<?>> calls = new ArrayList<>();
        List<String> faults = java.util.Collections.synchronizedList(new ArrayList<>());
        long startedAt = System.nanoTime();
        try (var pool = Executors.newFixedThreadPool(CLIENTS);
                var faultTasks = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                calls.add(pool.submit(() -> {
                    for (int n = next.getAndIncrement(); n < CALLS; n = next.getAndIncrement()) {
                        long due = startedAt + BURST.toNanos() / CALLS * n;
                        TimeUnit.NANOSECONDS.sleep(due - System.nanoTime());
                        String key = "scale-" + n;
                        outcomes.put(key, outcome(clients, n, key, retries));
                        answered.incrementAndGet();
                    }
                    return null;
                }));
            }
            List<String> timeline = java.util.Collections.synchronizedList(new ArrayList<>());
            faultTasks.submit(() -> {
                while (answered.get() < CALLS) {
                    Thread.sleep(5_000);
                    timeline.add(Duration.ofNanos(System.nanoTime() - startedAt).toSeconds() + " s: " + answered.get());
                }
                System.out.println("Scale-out: answers by time " + timeline);
                return null;
            });
            awaitAnswered(answered, CALLS / 10);
            faults.add(fault(startedAt, "worker " + workers.getFirst().pid() + " killed (SIGKILL)", answered));
            workers.getFirst().kill();
            Future<WorkerProcess> joining = faultTasks.submit(() -> {
                WorkerProcess joined = startWorker();
                faults.add(fault(startedAt, "a fourth worker joined", answered));
                return joined;
            });
            awaitAnswered(answered, CALLS / 4);
            faults.add(fault(startedAt, "broker 2 stopping", answered));
            kafka.node(2).stop();
            awaitAnswered(answered, CALLS / 2);
            // A gateway dies: the calls it held are retried through the other one with their Idempotency-Keys.
            faults.add(fault(startedAt, "gateway 2 killed (SIGKILL)", answered));
            killableGateway.kill();
            workers.add(joining.get(3, TimeUnit.MINUTES));
            for (Future<?> call : calls) {
                call.get(5, TimeUnit.MINUTES);
            }
        }
        faults.forEach(fault -> System.out.println("Scale-out: " + fault));
        // Each fault happened while calls were still being answered.
        assertThat(faults)
                .allSatisfy(fault -> assertThat(Integer.parseInt(fault.replaceAll(".* after (\\d+) answers", "$1")))
                        .as(fault)
                        .isBetween(1, CALLS - 1));

        // then: every call has its outcome
        assertThat(outcomes).hasSize(CALLS);
        long ok = outcomes.values().stream().filter(status -> status == 200).count();
        long refused =
                outcomes.values().stream().filter(status -> status == 400).count();
        assertThat(ok + refused).as("every call answered 200 or 400").isEqualTo(CALLS);
        System.out.printf(
                "Scale-out: %d calls, %d x 200, %d x 400 (limits), %d retries through 503/429%n",
                CALLS, ok, refused, retries.get());
        // every 200 is in the ledger exactly once, and nothing else is
        long consumedRows = queryLong("select count(*) from command_ledger where tenant_id = '" + TENANT
                + "' and outcome = 'LicenseConsumed'");
        assertThat(consumedRows).as("consumptions in the ledger").isEqualTo(ok);
        long okKeysInLedger = queryLong("select count(*) from idempotency_key k join command_ledger l"
                + " on l.command_id = k.command_id where k.tenant_id = '" + TENANT
                + "' and l.outcome = 'LicenseConsumed'");
        assertThat(okKeysInLedger)
                .as("calls answered 200 whose command the ledger has")
                .isEqualTo(ok);
        // totals are their ledgers', and within their limits; the limits were reached
        long overLimitOrOff = queryLong("select count(*) from license c where c.tenant_id = '" + TENANT
                + "' and (c.total_consumptions > c.max_consumptions or c.total_consumptions <> (select count(*)"
                + " from command_ledger l where l.license_id = c.id and l.outcome = 'LicenseConsumed'))");
        assertThat(overLimitOrOff)
                .as("licenses over their limit or off their ledger")
                .isZero();
        assertThat(ok).as("all licenses' units").isEqualTo((long) LICENSES * LIMIT);
    }

    /** One call, retried with its Idempotency-Key through 503s and 429s, alternating gateways, until it has an outcome. */
    private static int outcome(List<LicenseApiClient> clients, int n, String key, AtomicInteger retries)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        Map<String, Object> body =
                Map.of("product", PRODUCT, "license_key", licenseKey(n % LICENSES), "hardware_id", HW);
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            LicenseApiClient client = clients.get((n + attempt) % clients.size());
            LicenseApiClient.Response response;
            try {
                response = client.post("add_consumption", body, Map.of("Idempotency-Key", key));
            } catch (java.io.IOException e) {
                response = null; // connection trouble counts as a 503
            }
            if (response != null && response.status() == 200) {
                JsonNode answer = JSON.readTree(response.body());
                assertThat(answer.get("total_consumptions").asLong()).isLessThanOrEqualTo(LIMIT);
                return 200;
            }
            if (response != null && response.status() == 400) {
                assertThat(JSON.readTree(response.body()).get("code").asString())
                        .isEqualTo("license_not_enough_consumptions");
                return 400;
            }
            if (response != null) {
                assertThat(response.status()).as(response.body()).isIn(429, 503);
            }
            retries.incrementAndGet();
            Thread.sleep(200);
        }
        throw new AssertionError("no outcome for " + key);
    }

    private static void awaitReady(String gateway, Duration timeout) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                var response = http.send(
                        java.net.http.HttpRequest.newBuilder(URI.create(gateway + "/actuator/health/readiness"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(gateway + " not ready within " + timeout);
    }

    private static String fault(long startedAt, String what, AtomicInteger answered) {
        return what + " at " + Duration.ofNanos(System.nanoTime() - startedAt).toSeconds() + " s after "
                + answered.get() + " answers";
    }

    private static void awaitAnswered(AtomicInteger answered, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (answered.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static WorkerProcess startWorker() throws Exception {
        List<String> arguments = new ArrayList<>(List.of(TallyPipeline.workerArguments(settings)));
        arguments.add("--tally.replication-factor=3");
        return WorkerProcess.start(arguments.toArray(String[]::new));
    }

    private static String licenseKey(int i) {
        return "SCALE-" + i;
    }

    private static void sql(String statement) throws SQLException {
        Database.execute(dataSource(), statement);
    }

    private static long queryLong(String query) throws SQLException {
        return Database.queryLong(dataSource(), query);
    }

    private static DataSource dataSource() {
        var db = TestInfrastructure.get().databaseServer();
        var dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setURL(jdbcUrl);
        dataSource.setUser(db.username());
        dataSource.setPassword(db.password());
        return dataSource;
    }
}
