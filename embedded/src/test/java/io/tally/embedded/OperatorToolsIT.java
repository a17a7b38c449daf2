package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.DemoSeeder;
import io.tally.client.LicenseApiClient;
import io.tally.embedded.OpsTool.Run;
import io.tally.protocol.CommandEvent;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.TenantRecords;
import io.tally.protocol.Topics;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operators' tool against the real pipeline: replay refused while workers run and harmless when they do not,
 * dead letters redriven once their cause is fixed, and the whole commands topic rebuilt into an empty database with
 * the same totals. The tests build on each other's traffic, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorToolsIT {

    static final String GROUP = "tally-worker-commands";
    static final String ENVELOPE_KEY = "ops-envelope-key-0123456789abcdef";
    static final String SECOND_KEY = "ops-second-envelope-key-0123456789";
    static final TenantCredentials TENANT =
            new TenantCredentials("ops-tenant", "ops-api", "ops-shared-0123456789", "ops-mgmt");

    @TempDir
    static Path secrets;

    static TestInfrastructure infra;
    static TallyPipeline pipeline;
    static LicenseApiClient client;
    static OpsTool opsTool;
    static javax.sql.DataSource database;

    @BeforeAll
    static void start() throws Exception {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        String jdbcUrl = infra.newDatabase("operator_tools_it");
        database = Database.of(jdbcUrl, db.username(), db.password());
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(), jdbcUrl, db.username(), db.password(), ENVELOPE_KEY, 0, 0, 3));
        pipeline.tenants().register("Ops company", TENANT);
        pipeline.startGateway();
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
        URI gateway = URI.create(pipeline.gatewayUrl());
        new DemoSeeder(gateway, TENANT.apiKey(), TENANT.sharedKey(), TENANT.managementKey()).seed();
        client = new LicenseApiClient(gateway, TENANT.apiKey(), TENANT.sharedKey());

        opsTool = OpsTool.connectedTo(infra, jdbcUrl, ENVELOPE_KEY, secrets);

        // Traffic of every kind: Idempotency-Key retries, consumptions, refusals, feature consumptions.
        Map<String, Object> license = Map.of(
                "product", DemoSeeder.PRODUCT,
                "license_key", DemoSeeder.LICENSE_KEY,
                "hardware_id", DemoSeeder.HARDWARE_ID);
        for (int retry = 0; retry < 3; retry++) {
            assertThat(client.post(
                                    "add_consumption",
                                    with(license, "consumptions", 2),
                                    Map.of("Idempotency-Key", "ops"))
                            .status())
                    .isEqualTo(200);
        }
        for (int i = 0; i < 14; i++) {
            assertThat(client.post("add_consumption", license).status()).isEqualTo(200);
        }
        assertThat(client.post("add_consumption", with(license, "consumptions", 10))
                        .status())
                .isEqualTo(400);
        for (int i = 0; i < 12; i++) {
            client.post("add_feature_consumption", with(license, "feature", DemoSeeder.FEATURE));
        }
        assertThat(total()).isEqualTo(16);
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void shouldRefuseToReplayWhenTheWorkerGroupIsActive() throws Exception {
        // given: the worker's Kafka commits, which follow its answers, caught up
        awaitCaughtUp();
        Map<TopicPartition, OffsetAndMetadata> before = committed();

        // when
        Run run = ops("replay", "--from-beginning", "--execute");

        // then
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("Refused").contains("active member").contains(GROUP);
        assertThat(committed()).isEqualTo(before);
    }

    @Test
    @Order(2)
    void shouldRebuildTheSameTotalsWhenTheWholeTopicIsAppliedToAnEmptyDatabase() throws Exception {
        // given: the worker has applied everything
        awaitCaughtUp();
        Map<TopicPartition, Long> eventsBefore = endOffsets(Topics.EVENTS);
        Map<TopicPartition, Long> commandsBefore = endOffsets(Topics.COMMANDS);

        // when
        Run run = ops("rebuild", "--tenant", TENANT.tenantId(), "--drop-target");

        // then: every total matches, and the rebuild produced nothing
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Every total matches the live database");
        assertThat(run.out()).containsPattern("Applied [1-9][0-9]* commands of 1 tenants");
        assertThat(endOffsets(Topics.EVENTS)).isEqualTo(eventsBefore);
        assertThat(endOffsets(Topics.COMMANDS)).isEqualTo(commandsBefore);
        // and progress went to standard error, so that --json keeps standard output to one object
        assertThat(run.err()).containsPattern("rebuild: commands read: [0-9,]+ done in");
        Run asJson = ops("rebuild", "--tenant", TENANT.tenantId(), "--drop-target", "--json");
        assertThat(asJson.exitCode()).as(asJson.toString()).isZero();
        var result = tools.jackson.databind.json.JsonMapper.builder().build().readTree(asJson.out());
        assertThat(result.get("differences").isEmpty()).isTrue();
        assertThat(result.get("applied").asLong()).isPositive();
        assertThat(result.get("target_dropped").asBoolean()).isTrue();
    }

    @Test
    @Order(3)
    void shouldReportTheDifferenceWhenALiveTotalDisagreesWithTheTopic() throws Exception {
        // given: a total changed behind the worker's back
        sql("update license set total_consumptions = total_consumptions + 1 where license_key = '"
                + DemoSeeder.LICENSE_KEY + "'");
        try {
            // when
            Run run = ops("rebuild", "--tenant", TENANT.tenantId(), "--drop-target");

            // then
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.out())
                    .contains("1 figures differ")
                    .contains("ops-tenant/demo-app/key " + DemoSeeder.LICENSE_KEY
                            + " total_consumptions: live 17, rebuilt 16");
        } finally {
            sql("update license set total_consumptions = total_consumptions - 1 where license_key = '"
                    + DemoSeeder.LICENSE_KEY + "'");
        }
    }

    @Test
    @Order(4)
    void shouldRefuseToRebuildWhenTheTargetDatabaseIsNotEmpty() {
        Run run = ops(
                "rebuild",
                "--tenant",
                TENANT.tenantId(),
                "--target-jdbc-url",
                opsTool.connectionArguments().get(opsTool.connectionArguments().indexOf("--jdbc-url") + 1));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("is not empty");
    }

    @Test
    @Order(5)
    void shouldApplyADeadLetterOnceWhenRedrivenAfterItsCauseIsFixed() throws Exception {
        // given: a command signed with a key the worker does not know yet (a rotation half rolled out)
        var command = new LicenseCommand.ConsumeLicense(
                UUID.randomUUID(),
                Instant.now(),
                TENANT.tenantId(),
                null,
                new LicenseRef(DemoSeeder.PRODUCT, DemoSeeder.LICENSE_KEY, null),
                DemoSeeder.HARDWARE_ID,
                3,
                null,
                null);
        byte[] value = new ProtocolCodec().encodeCommand(command);
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", infra.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            var record = new ProducerRecord<>(Topics.COMMANDS, command.partitionKey(), value);
            producer.send(new EnvelopeSignature("k2", Map.of("k2", SECOND_KEY))
                            .signRecord(EnvelopeSignature.Kind.COMMAND, record))
                    .get();
        }
        Run listed = awaitDeadLetter("bad signature (key id k2)");
        assertThat(listed.out()).contains("Dry run").doesNotContain(SECOND_KEY);
        Run listedAsJson = ops("redrive", "--json");
        var letters = tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(listedAsJson.out())
                .get("letters");
        assertThat(letters.valueStream().map(letter -> letter.get("reason").asString()))
                .contains("bad signature (key id k2)");
        assertThat(ledgerRows(command.commandId())).isZero();

        // when: the worker learns the key, and the operator redrives
        pipeline.stopWorker();
        pipeline.startWorkerAgain(Map.of("tally.envelope-keys.k2", SECOND_KEY));
        Run redrive = ops("redrive", "--execute");

        // then: applied once, and a second run has nothing of it left to redrive
        assertThat(redrive.exitCode()).as(redrive.toString()).isZero();
        assertThat(redrive.out()).containsPattern("Redrove [1-9][0-9]* dead letters");
        awaitCaughtUp();
        assertThat(ledgerRows(command.commandId())).isEqualTo(1);
        assertThat(total()).isEqualTo(19);
        assertThat(ops("redrive").out()).doesNotContain("key id k2");
    }

    @Test
    @Order(6)
    void shouldKeepTheResponseSigningKeysOnTheTenantsTopicWhenTheWorkerRestarts() {
        // The worker restarted in the test before and republished every tenant; the latest record must be whole.
        TenantCredentials latest = latestTenantRecord(TENANT.apiKey());

        assertThat(latest.responsePrivateKey()).isNotBlank();
        assertThat(latest.responsePublicKey()).isNotBlank();
    }

    @Test
    @Order(7)
    void shouldChangeNoTotalAndAddNoEventWhenTheWholeCommandsTopicIsReplayed() throws Exception {
        // given: everything applied; the worker then stops as if killed, before it could record how far its events
        // are committed
        awaitCaughtUp();
        long total = total();
        long featureTotal = queryLong("select sum(total_consumptions) from license_feature");
        long ledger = queryLong("select count(*) from command_ledger");
        Map<TopicPartition, Long> eventsBefore = endOffsets(Topics.EVENTS);
        Map<String, Integer> eventCopiesBefore = eventCopies();
        assertThat(eventCopiesBefore)
                .hasSize((int) ledger)
                .allSatisfy((id, copies) -> assertThat(copies).isEqualTo(1));
        pipeline.stopWorker();
        sql("delete from event_emission_progress");

        // when: a dry run, then the replay of the whole topic
        Map<TopicPartition, OffsetAndMetadata> committed = committed();
        Run dryRun = ops("replay", "--from-beginning");
        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        assertThat(dryRun.out()).contains("Dry run: nothing changed");
        assertThat(committed()).isEqualTo(committed);
        Run replay = ops("replay", "--from-beginning", "--execute");
        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        assertThat(replay.out()).containsPattern("Rewound: [1-9][0-9]* commands will be replayed");
        assertThat(committed().values())
                .allSatisfy(offset -> assertThat(offset.offset()).isZero());
        pipeline.startWorkerAgain(Map.of("tally.envelope-keys.k2", SECOND_KEY));
        awaitCaughtUp();

        // then: same totals, same ledger, not one event more
        assertThat(total()).isEqualTo(total);
        assertThat(queryLong("select sum(total_consumptions) from license_feature"))
                .isEqualTo(featureTotal);
        assertThat(queryLong("select count(*) from command_ledger")).isEqualTo(ledger);
        assertThat(endOffsets(Topics.EVENTS)).isEqualTo(eventsBefore);
        assertThat(eventCopies()).isEqualTo(eventCopiesBefore);
    }

    @Test
    @Order(8)
    void shouldRotateATenantsApiKeyWithoutDowntimeAndAnswerRevokedApiKeyForTheOldOne() throws Exception {
        // given: a tenant with its first key
        var rotating = new TenantCredentials("rotation-tenant", "rot-old", "rot-old-shared-0123456789", "rot-mgmt");
        pipeline.tenants().register("Rotation company", rotating);
        var oldKey = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), "rot-old", rotating.sharedKey());
        assertThat(awaitAuthentication(oldKey, code -> !code.equals("invalid_api_key")))
                .isNotEqualTo("invalid_api_key");

        // when: a second key is added, then the first revoked
        Run added = ops("api-keys", "add", "--tenant", "rotation-tenant");
        assertThat(added.exitCode()).as(added.err()).isZero();
        Map<String, String> printed = new java.util.HashMap<>();
        for (String line : added.out().split("\n")) {
            String[] pair = line.trim().split("=", 2);
            if (pair.length == 2) {
                printed.put(pair[0], pair[1]);
            }
        }
        var newKey = new LicenseApiClient(
                URI.create(pipeline.gatewayUrl()), printed.get("api_key"), printed.get("shared_key"));
        String newKeyBeforeRevocation = awaitAuthentication(newKey, code -> !code.equals("invalid_api_key"));
        String oldKeyBeforeRevocation = awaitAuthentication(oldKey, code -> true);
        Run revoked = ops("api-keys", "revoke", "--api-key", "rot-old");
        assertThat(revoked.exitCode()).as(revoked.err()).isZero();

        // then: both keys worked while both were valid; afterwards the old one is refused as revoked, the new one works
        assertThat(newKeyBeforeRevocation).isNotIn("invalid_api_key", "revoked_api_key", "signature_mismatch");
        assertThat(oldKeyBeforeRevocation).isNotIn("invalid_api_key", "revoked_api_key", "signature_mismatch");
        assertThat(awaitAuthentication(oldKey, code -> code.equals("revoked_api_key")))
                .isEqualTo("revoked_api_key");
        assertThat(awaitAuthentication(newKey, code -> true))
                .isNotIn("invalid_api_key", "revoked_api_key", "signature_mismatch");
        Run listed = ops("api-keys", "list", "--tenant", "rotation-tenant");
        assertThat(listed.out())
                .contains("rot-old revoked", printed.get("api_key") + " valid")
                .doesNotContain(rotating.sharedKey(), printed.get("shared_key"));
        // and a worker restart, which republishes every key from the database, keeps the revocation
        pipeline.stopWorker();
        pipeline.startWorkerAgain();
        assertThat(latestTenantRecord("rot-old").revoked()).isTrue();
        assertThat(latestTenantRecord(printed.get("api_key")).revoked()).isFalse();
    }

    /**
     * The error code of a signed check_license call for a product that does not exist (so an authenticated call is
     * answered with a non-authentication code), polled until {@code done} accepts it or 20 s pass.
     */
    private static String awaitAuthentication(LicenseApiClient client, java.util.function.Predicate<String> done)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String code;
        do {
            var response = client.get(
                    "check_license", Map.of("product", "no-such-app", "license_key", "X", "hardware_id", "h"));
            code = tools.jackson.databind.json.JsonMapper.builder()
                    .build()
                    .readTree(response.body())
                    .path("code")
                    .asString("none");
            if (done.test(code)) {
                return code;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return code;
    }

    private static Run ops(String subcommand, String... arguments) {
        return opsTool.run(subcommand, arguments);
    }

    private static Run awaitDeadLetter(String reason) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Run run;
        do {
            run = ops("redrive");
            if (run.out().contains(reason)) {
                return run;
            }
            Thread.sleep(300);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no dead letter with reason " + reason + ": " + run);
    }

    /** For each of this tenant's events on the events topic, as read_committed readers see it, how many copies. */
    private static Map<String, Integer> eventCopies() {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var codec = new ProtocolCodec();
        Map<String, Integer> copies = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(Topics.EVENTS).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertThat(System.nanoTime()).as("events read").isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    CommandEvent event = codec.decodeEvent(record.value());
                    if (event.tenantId().equals(TENANT.tenantId())) {
                        copies.merge(event.eventId().toString(), 1, Integer::sum);
                    }
                });
            }
        }
        return copies;
    }

    private static TenantCredentials latestTenantRecord(String apiKey) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        var records = new TenantRecords(new EnvelopeSignature("k1", Map.of("k1", ENVELOPE_KEY)), new ProtocolCodec());
        TenantCredentials latest = null;
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partition = new TopicPartition(Topics.TENANTS, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (apiKey.equals(record.key()) && record.value() != null) {
                        latest = records.read(record).orElseThrow();
                    }
                }
            }
        }
        assertThat(latest).as("a tenants record for " + apiKey).isNotNull();
        return latest;
    }

    /** Until the group has committed past the last command of every partition. */
    private static void awaitCaughtUp() throws Exception {
        Map<TopicPartition, Long> end = endOfCommands();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, OffsetAndMetadata> committed = committed();
            if (end.entrySet().stream().allMatch(e -> {
                OffsetAndMetadata offset = committed.get(e.getKey());
                return (offset == null ? 0 : offset.offset()) >= e.getValue();
            })) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the worker did not catch up with " + end + ": " + committed());
    }

    /**
     * Per partition of the commands topic, the offset after its last record. Not the end offset: a transaction's
     * commit marker (the redrive writes them) takes an offset that no consumer ever commits past.
     */
    private static Map<TopicPartition, Long> endOfCommands() {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<TopicPartition, Long> afterLast = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(Topics.COMMANDS).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
            for (TopicPartition partition : partitions) {
                afterLast.put(partition, beginning.get(partition));
                consumer.seek(partition, Math.max(beginning.get(partition), end.get(partition) - 500));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertThat(System.nanoTime()).as("commands read").isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200))
                        .forEach(record -> afterLast.merge(
                                new TopicPartition(record.topic(), record.partition()),
                                record.offset() + 1,
                                Math::max));
            }
        }
        return afterLast;
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed() throws Exception {
        return KafkaState.committed(infra.bootstrapServers(), GROUP);
    }

    private static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        return KafkaState.endOffsets(infra.bootstrapServers(), topic);
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> merged = new HashMap<>(base);
        merged.put(key, value);
        return merged;
    }

    private static long total() throws SQLException {
        return queryLong("select total_consumptions from license where license_key = '" + DemoSeeder.LICENSE_KEY + "'");
    }

    private static long ledgerRows(UUID commandId) throws SQLException {
        return queryLong("select count(*) from command_ledger where command_id = '" + commandId + "'");
    }

    private static void sql(String statement) throws SQLException {
        Database.execute(database, statement);
    }

    private static long queryLong(String query) throws SQLException {
        return Database.queryLong(database, query);
    }
}
