package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.LicenseApiClient;
import io.tally.protocol.CommandEvent;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.Topics;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guarantee 5 and the replay promise: every decided command is on {@code tally.events.v1} exactly once for a
 * {@code read_committed} reader, and replaying the commands topic (the worker group rewound while it is stopped)
 * changes no total and adds no event.
 */
class ExactlyOnceIT {

    static final String GROUP = "tally-worker-commands";
    static final String HW = "eo-device";
    static final TenantCredentials TENANT =
            new TenantCredentials("eo-tenant", "eo-api", "eo-shared-0123456789", "eo-mgmt");

    static TestInfrastructure infra;
    static TallyPipeline pipeline;
    static LicenseApiClient client;
    static Map<TopicPartition, Long> commandsStart;
    static Map<TopicPartition, Long> eventsStart;

    @BeforeAll
    static void start() throws Exception {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(),
                infra.newDatabase("exactly_once_it"),
                db.username(),
                db.password(),
                "eo-envelope-key-0123456789abcdef",
                0,
                0,
                3));
        // This class's commands and events start here: earlier test classes share the broker.
        commandsStart = endOffsets(Topics.COMMANDS);
        eventsStart = endOffsets(Topics.EVENTS);
        pipeline.tenants().register("EO company", TENANT);
        sql("insert into product (tenant_id, short_code, name) values ('eo-tenant', 'eo-app', 'EO')");
        sql("insert into license (tenant_id, product_id, license_key, max_consumptions) "
                + "select 'eo-tenant', id, 'EO-1', 30 from product where short_code = 'eo-app'");
        sql("insert into device (license_id, hardware_id) select id, '" + HW
                + "' from license where license_key = 'EO-1'");
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
    void shouldEmitEachEventOnceAndNoneAgainWhenTheCommandsTopicIsReplayed() throws Exception {
        // given: 40 calls of 1 on a license of 30 (30 applied, 10 refused) and two retries of one Idempotency-Key
        Map<String, Object> body = Map.of("product", "eo-app", "license_key", "EO-1", "hardware_id", HW);
        for (int i = 0; i < 40; i++) {
            client.post("add_consumption", body);
        }
        client.post("add_consumption", body, Map.of("Idempotency-Key", "eo-key"));
        client.post("add_consumption", body, Map.of("Idempotency-Key", "eo-key"));
        long ledgerRows = queryLong("select count(*) from command_ledger");

        // then: one event per ledger row, each exactly once, agreeing with the ledger
        Map<String, List<CommandEvent>> events = awaitEvents(ledgerRows);
        assertThat(events).hasSize((int) ledgerRows);
        assertThat(events.values()).allSatisfy(copies -> assertThat(copies).hasSize(1));
        Map<String, Long> byOutcome = events.values().stream()
                .map(copies -> copies.getFirst().outcome())
                .collect(Collectors.groupingBy(outcome -> outcome, Collectors.counting()));
        assertThat(byOutcome).containsEntry("LicenseConsumed", 30L).containsEntry("CommandRejected", 11L);
        assertThat(byOutcome).containsEntry("Replayed", 1L);
        assertThat(events.values().stream()
                        .map(List::getFirst)
                        .filter(event -> event.outcome().equals("LicenseConsumed"))
                        .mapToLong(CommandEvent::consumptionsApplied)
                        .sum())
                .isEqualTo(30);

        // when: an operator replays this class's part of the commands topic
        long totalBefore = queryLong("select total_consumptions from license where license_key = 'EO-1'");
        pipeline.stopWorker();
        try (var admin = Admin.create(Map.of("bootstrap.servers", infra.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> rewind = new HashMap<>();
            commandsStart.forEach((partition, offset) -> rewind.put(partition, new OffsetAndMetadata(offset)));
            admin.alterConsumerGroupOffsets(GROUP, rewind).all().get();
        }
        pipeline.startWorkerAgain();
        awaitCaughtUp();

        // then: nothing changed, nothing was added
        assertThat(queryLong("select total_consumptions from license where license_key = 'EO-1'"))
                .isEqualTo(totalBefore)
                .isEqualTo(30);
        assertThat(queryLong("select count(*) from command_ledger")).isEqualTo(ledgerRows);
        Map<String, List<CommandEvent>> afterReplay = readEvents(Duration.ofSeconds(3));
        assertThat(afterReplay).hasSize((int) ledgerRows);
        assertThat(afterReplay.values()).allSatisfy(copies -> assertThat(copies).hasSize(1));
    }

    private static Map<String, List<CommandEvent>> awaitEvents(long expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, List<CommandEvent>> events = Map.of();
        while (System.nanoTime() < deadline) {
            events = readEvents(Duration.ofMillis(500));
            if (events.size() >= expected) {
                return events;
            }
        }
        return events;
    }

    /** This tenant's events from this class's start, as a read_committed consumer sees them, by event id. */
    private static Map<String, List<CommandEvent>> readEvents(Duration quiet) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        var codec = new ProtocolCodec();
        Map<String, List<CommandEvent>> events = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(eventsStart.keySet());
            eventsStart.forEach(consumer::seek);
            long idleSince = System.nanoTime();
            while (System.nanoTime() - idleSince < quiet.toNanos()) {
                var records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    idleSince = System.nanoTime();
                }
                records.forEach(record -> {
                    CommandEvent event = codec.decodeEvent(record.value());
                    if (event.tenantId().equals(TENANT.tenantId())) {
                        events.computeIfAbsent(event.eventId().toString(), id -> new ArrayList<>())
                                .add(event);
                    }
                });
            }
        }
        return events;
    }

    private static void awaitCaughtUp() throws Exception {
        Map<TopicPartition, Long> end = endOffsets(Topics.COMMANDS);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (var admin = Admin.create(Map.of("bootstrap.servers", infra.bootstrapServers()))) {
            while (System.nanoTime() < deadline) {
                var committed = admin.listConsumerGroupOffsets(GROUP)
                        .partitionsToOffsetAndMetadata()
                        .get();
                boolean caughtUp = end.entrySet().stream()
                        .allMatch(e -> committed.get(e.getKey()) != null
                                && committed.get(e.getKey()).offset() >= e.getValue());
                if (caughtUp) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the worker did not catch up with the replayed commands");
    }

    private static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        return KafkaState.endOffsets(infra.bootstrapServers(), topic);
    }

    private static void sql(String statement) throws SQLException {
        Database.execute(pipeline.dataSource(), statement);
    }

    private static long queryLong(String query) throws SQLException {
        return Database.queryLong(pipeline.dataSource(), query);
    }
}
