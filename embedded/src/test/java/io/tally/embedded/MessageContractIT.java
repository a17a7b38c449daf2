package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.tally.client.DemoSeeder;
import io.tally.client.LicenseApiClient;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.Topics;
import io.tally.testsupport.TestInfrastructure;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every message the gateway and the worker produce matches its schema in {@code schemas/v1}: traffic of every kind
 * (management calls, activations, consumptions and refusals, Idempotency-Key retries, asynchronous calls, a dead
 * letter), then each topic read from its beginning and every record validated.
 */
class MessageContractIT {

    static final String ENVELOPE_KEY = "contract-envelope-key-0123456789ab";
    static final TenantCredentials TENANT =
            new TenantCredentials("contract-tenant", "contract-api", "contract-shared-0123456789", "contract-mgmt");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static TestInfrastructure infra;
    static TallyPipeline pipeline;

    @BeforeAll
    static void start() throws Exception {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        String jdbcUrl = infra.newDatabase("message_contract_it");
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(), jdbcUrl, db.username(), db.password(), ENVELOPE_KEY, 0, 0, 3));
        pipeline.tenants().register("Contract company", TENANT);
        pipeline.startGateway();
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
        traffic();
    }

    /** Traffic of every kind, then until the dead letter is out. */
    private static void traffic() throws Exception {
        URI gateway = URI.create(pipeline.gatewayUrl());
        long licenseId = new DemoSeeder(gateway, TENANT.apiKey(), TENANT.sharedKey(), TENANT.managementKey())
                .seed()
                .licenseId();
        var client = new LicenseApiClient(gateway, TENANT.apiKey(), TENANT.sharedKey());
        Map<String, Object> license = Map.of(
                "product", DemoSeeder.PRODUCT,
                "license_key", DemoSeeder.LICENSE_KEY,
                "hardware_id", DemoSeeder.HARDWARE_ID);
        client.post("activate_license", license);
        for (int retry = 0; retry < 2; retry++) {
            client.post("add_consumption", with(license, "consumptions", 2), Map.of("Idempotency-Key", "contract"));
        }
        client.post("add_consumption", with(license, "consumptions", 1), Map.of("Prefer", "respond-async"));
        client.post("add_consumption", with(license, "consumptions", 1_000_000));
        client.post("add_feature_consumption", with(license, "feature", DemoSeeder.FEATURE));
        client.get("check_license", license);
        // Management reads: ResolveLicense and ChangeLicense, ListConsumptions, LookupOutcome.
        management(gateway, "/api/v1/licenses/" + licenseId + "/");
        management(gateway, "/api/v1/licenses/" + licenseId + "/consumptions/?limit=5");
        String requestId = client.post("add_consumption", with(license, "consumptions", 1))
                .headers()
                .get("Tally-Request-Id")
                .getFirst();
        client.get("requests/" + requestId, Map.of());
        client.post(
                "add_consumption", Map.of("product", DemoSeeder.PRODUCT, "license_key", "NO-SUCH", "hardware_id", "x"));
        ForeignCommands.send(
                infra.bootstrapServers(),
                UUID.randomUUID(),
                TENANT.tenantId(),
                new LicenseRef(DemoSeeder.PRODUCT, DemoSeeder.LICENSE_KEY, null),
                DemoSeeder.HARDWARE_ID);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (deadLetters() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldProduceOnlyMessagesThatMatchTheirSchemas() throws Exception {
        // given: the traffic of start()

        // when
        Map<String, List<String>> problems = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        check(Topics.COMMANDS, "tally.commands.v1.json", problems, counts);
        check(Topics.REPLIES, "tally.replies.v1.json", problems, counts);
        check(Topics.EVENTS, "tally.events.v1.json", problems, counts);
        check(Topics.BALANCES, "tally.balances.v1.json", problems, counts);
        check(Topics.TENANTS, "tally.tenants.v2.json", problems, counts);
        check(Topics.COMMANDS_DLT, "tally.commands.v1.dlt.headers.json", problems, counts);

        // then
        System.out.println("MessageContractIT: messages validated per topic " + counts);
        assertThat(problems).isEmpty();
        assertThat(counts)
                .allSatisfy((topic, count) -> assertThat(count).as(topic).isPositive())
                .containsOnlyKeys(
                        Topics.COMMANDS,
                        Topics.REPLIES,
                        Topics.EVENTS,
                        Topics.BALANCES,
                        Topics.TENANTS,
                        Topics.COMMANDS_DLT);
    }

    private static void management(URI gateway, String path) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(gateway.resolve(path))
                                .header("Authorization", "Api-Key " + TENANT.managementKey())
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
    }

    private static long deadLetters() throws Exception {
        return KafkaState.endOffsets(infra.bootstrapServers(), Topics.COMMANDS_DLT).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    @Test
    void shouldCountTheLedgersUnitsPerHourAndProductWhenTheExampleConsumerReadsTheEvents() throws Exception {
        // given: the traffic of start(), whose events are committed once the dead letter is out

        // when
        var fromEvents = io.tally.examples.analytics.LedgerReconciliation.fromEvents(
                io.tally.examples.analytics.UsagePerHour.read(infra.bootstrapServers(), TENANT.tenantId()));

        // then
        Map<String, List<Long>> fromLedger;
        try (var connection = pipeline.dataSource().getConnection()) {
            fromLedger = io.tally.examples.analytics.LedgerReconciliation.fromLedger(connection, TENANT.tenantId());
        }
        System.out.println("MessageContractIT: units per hour and product " + fromEvents);
        assertThat(fromEvents).isNotEmpty().isEqualTo(fromLedger);
    }

    /** Reads {@code topic} to its end and validates each record (its headers, for dead letters). */
    private static void check(
            String topic, String schemaFile, Map<String, List<String>> problems, Map<String, Integer> counts)
            throws Exception {
        Schema schema = schema(schemaFile);
        Map<TopicPartition, Long> end = KafkaState.endOffsets(infra.bootstrapServers(), topic);
        int seen = 0;
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        continue; // a tombstone on a compacted topic
                    }
                    if (topic.equals(Topics.COMMANDS) && !ownCommand(record)) {
                        continue; // other tests share the broker and write malformed commands on purpose
                    }
                    seen++;
                    var message = topic.equals(Topics.COMMANDS_DLT) ? headers(record) : JSON.readTree(record.value());
                    var errors = schema.validate(message);
                    if (!errors.isEmpty()) {
                        problems.computeIfAbsent(topic, t -> new ArrayList<>())
                                .add(record.partition() + "@" + record.offset() + ": " + errors);
                    }
                }
            }
        }
        counts.put(topic, seen);
    }

    /** Commands of this test's tenant: the gateway's, and the one signed with a foreign key. */
    private static boolean ownCommand(ConsumerRecord<byte[], byte[]> record) {
        return record.key() != null
                && new String(record.key(), StandardCharsets.UTF_8).startsWith(TENANT.tenantId() + "/");
    }

    private static ObjectNode headers(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode headers = JSON.createObjectNode();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static Schema schema(String file) throws IOException {
        try (InputStream in = MessageContractIT.class.getResourceAsStream(
                "/schemas/" + file.replaceAll(".*\\.(v[0-9]+)\\..*", "$1") + "/" + file)) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(in);
        }
    }

    private static Map<String, Object> with(Map<String, Object> base, Object... more) {
        var map = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < more.length; i += 2) {
            map.put((String) more[i], more[i + 1]);
        }
        return map;
    }
}
