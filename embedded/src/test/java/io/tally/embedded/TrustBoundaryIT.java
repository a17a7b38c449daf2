package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.DemoSeeder;
import io.tally.client.LicenseApiClient;
import io.tally.protocol.CommandSecrets;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.TenantRecords;
import io.tally.protocol.Topics;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kafka as a trust boundary (ADR 24), on the real pipeline: whoever can write Tally's topics cannot have a command
 * applied twice, a reply sent elsewhere, a tenant's keys replaced or a forged answer signed; whoever can read them
 * learns no secret of a tenant Tally made (the demo tenant: its shared, management and private keys, its users'
 * passwords).
 */
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrustBoundaryIT {

    static final String ENVELOPE_KEY = "trust-envelope-key-0123456789abcdef";
    static final EnvelopeSignature STRANGER =
            new EnvelopeSignature("k1", Map.of("k1", "a-key-tally-never-had-0123456789"));
    static final String USER = "ada@example.com";
    static final String PASSWORD = "correct horse battery staple";
    static final JsonMapper JSON = JsonMapper.builder().build();

    static TestInfrastructure infra;
    static TallyPipeline pipeline;
    static DataSource database;
    static TenantCredentials demo;
    static LicenseApiClient client;

    @BeforeAll
    static void start() throws Exception {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        String jdbcUrl = infra.newDatabase("trust_boundary_it");
        database = Database.of(jdbcUrl, db.username(), db.password());
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(), jdbcUrl, db.username(), db.password(), ENVELOPE_KEY, 0, 0, 3));
        demo = pipeline.registerDemoTenant();
        // Long enough for a worker restarted mid-call to answer it.
        pipeline.startGateway(Map.of("tally.reply-timeout", "45s"));
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
        new DemoSeeder(URI.create(pipeline.gatewayUrl()), demo.apiKey(), demo.sharedKey(), demo.managementKey()).seed();
        client = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), demo.apiKey(), demo.sharedKey());
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void shouldApplyNothingEmitNothingAndDeadLetterTheAlteredWhenASignedCommandIsProducedAgain() throws Exception {
        // given: a consumption applied once
        var consumed = client.post("add_consumption", ForeignCommands.demoConsumption());
        assertThat(consumed.status()).as(consumed.body()).isEqualTo(200);
        String requestId = consumed.headers().get("tally-request-id").getFirst();
        ConsumerRecord<String, byte[]> original = commandRecord(record -> requestId.equals(header(record)));
        long totalBefore = total();

        // when: the record produced again as it is, and with its reply topic, reply partition or key changed
        int replyPartition = ByteBuffer.wrap(original.headers()
                        .lastHeader(EnvelopeSignature.REPLY_PARTITION_HEADER)
                        .value())
                .getInt();
        var toTenants = copy(original, original.key());
        toTenants.headers().add(EnvelopeSignature.REPLY_TOPIC_HEADER, Topics.TENANTS.getBytes(StandardCharsets.UTF_8));
        var otherPartition = copy(original, original.key());
        otherPartition.headers().remove(EnvelopeSignature.REPLY_PARTITION_HEADER);
        otherPartition
                .headers()
                .add(
                        EnvelopeSignature.REPLY_PARTITION_HEADER,
                        ByteBuffer.allocate(4).putInt(replyPartition + 1).array());
        var otherKey = copy(original, original.key() + "-elsewhere");
        produce(List.of(copy(original, original.key()), toTenants, otherPartition, otherKey));
        // a later call on the same partition is decided after the copies there
        assertThat(client.post("add_consumption", ForeignCommands.demoConsumption())
                        .status())
                .isEqualTo(200);

        // then: the altered three dead-lettered, the unaltered copy answered from the ledger; one event, one unit
        assertThat(deadLetterReasons(requestId, 3))
                .hasSize(3)
                .allSatisfy(reason -> assertThat(reason).startsWith("bad signature"));
        assertThat(Database.queryLong(
                        database, "select count(*) from command_ledger where command_id = '" + requestId + "'"))
                .isEqualTo(1);
        assertThat(KafkaState.eventsById(infra.bootstrapServers(), Set.of(requestId))
                        .get(requestId))
                .hasSize(1);
        assertThat(total()).isEqualTo(totalBefore + 1);
        assertThat(allRecords(Topics.TENANTS).stream()
                        .filter(record -> record.headers().lastHeader(EnvelopeSignature.CORRELATION_ID_HEADER) != null))
                .as("replies written to the tenants topic")
                .isEmpty();
    }

    @Test
    @Order(2)
    void shouldIgnoreAForgedTenantsRecordWithALogLineAndAMetric(CapturedOutput output) throws Exception {
        // given: a forger who can write the tenants topic but holds no envelope key
        var forger = new TenantRecords(STRANGER, new ProtocolCodec());
        String forgedSharedKey = "forged-shared-key-0123456789";
        var replaced = new TenantCredentials(demo.tenantId(), demo.apiKey(), forgedSharedKey, "forged-management-key");
        double forgedBefore = metric("tally_gateway_tenants_forged_total");

        // when: the demo API key's keys replaced, then the key revoked, both forged
        produce(List.of(forger.record(replaced), forger.tombstone(demo.apiKey())));
        awaitMetric("tally_gateway_tenants_forged_total", forgedBefore + 2);

        // then: the real keys still work, the forged ones do not; each record logged
        assertThat(client.post("add_consumption", ForeignCommands.demoConsumption())
                        .status())
                .isEqualTo(200);
        var withForgedKey = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), demo.apiKey(), forgedSharedKey)
                .post("add_consumption", ForeignCommands.demoConsumption());
        assertThat(withForgedKey.status()).isEqualTo(401);
        assertThat(management(
                                "POST",
                                "/api/v1/products/",
                                "forged-management-key",
                                null,
                                Map.of("product_name", "F", "short_code", "f"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(output.getAll()).contains("Ignoring tenant record at offset");
    }

    @Test
    @Order(3)
    void shouldIgnoreAForgedReplyWithALogLineAndAMetric(CapturedOutput output) throws Exception {
        // given: a call waiting for its reply while the worker is down
        long totalBefore = total();
        double forgedBefore = metric("tally_gateway_replies_forged_total");
        Map<TopicPartition, Long> commandsEnd = KafkaState.endOffsets(infra.bootstrapServers(), Topics.COMMANDS);
        pipeline.stopWorker();
        CompletableFuture<LicenseApiClient.Response> call = CompletableFuture.supplyAsync(() -> {
            try {
                return client.post("add_consumption", ForeignCommands.demoConsumption());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ConsumerRecord<String, byte[]> waiting = commandRecord(record ->
                record.offset() >= commandsEnd.getOrDefault(new TopicPartition(record.topic(), record.partition()), 0L)
                        && record.key().startsWith(demo.tenantId() + "/")
                        && record.headers().lastHeader(EnvelopeSignature.CORRELATION_ID_HEADER) != null);

        // when: a reply to it forged on the replies topic, then the worker back
        var forged = new ProducerRecord<String, byte[]>(
                Topics.REPLIES,
                ByteBuffer.wrap(waiting.headers()
                                .lastHeader(EnvelopeSignature.REPLY_PARTITION_HEADER)
                                .value())
                        .getInt(),
                waiting.key(),
                "{\"schema_version\":1,\"forged\":true}".getBytes(StandardCharsets.UTF_8));
        forged.headers()
                .add(
                        EnvelopeSignature.CORRELATION_ID_HEADER,
                        waiting.headers()
                                .lastHeader(EnvelopeSignature.CORRELATION_ID_HEADER)
                                .value());
        produce(List.of(STRANGER.signRecord(EnvelopeSignature.Kind.REPLY, forged)));
        awaitMetric("tally_gateway_replies_forged_total", forgedBefore + 1);
        assertThat(call).as("answered from a forged reply").isNotDone();
        pipeline.startWorkerAgain();

        // then: answered from the worker's own reply
        var answer = call.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(total()).isEqualTo(totalBefore + 1);
        assertThat(output.getAll()).contains("Ignoring reply " + Topics.REPLIES);
    }

    @Test
    @Order(4)
    void shouldAnswerManagementOutcomesOnlyThroughTheManagementApiAndScopeIdempotencyKeysPerApi() throws Exception {
        // given: an end user's app takes an Idempotency-Key first
        var taken = client.post(
                "add_consumption", ForeignCommands.demoConsumption(), Map.of("Idempotency-Key", "order-2026-1"));
        assertThat(taken.status()).isEqualTo(200);

        // when: the vendor creates an order with the same key, and the app asks for that order's outcome
        var order = management(
                "POST",
                "/api/v1/orders/create_order/",
                demo.managementKey(),
                "order-2026-1",
                Map.of(
                        "id",
                        "order-scoped",
                        "items",
                        List.of(Map.of(
                                "product_code",
                                DemoSeeder.PRODUCT,
                                "licenses",
                                List.of(Map.of("key", "SCOPED-0001"))))));
        String orderRequest = order.headers().firstValue("tally-request-id").orElseThrow();
        var lookedUp = client.get("requests/" + orderRequest, Map.of());

        // then: the vendor's write succeeds; the order's outcome is not shown to the shared key's holder
        assertThat(order.statusCode()).as(order.body()).isEqualTo(201);
        assertThat(lookedUp.status()).isEqualTo(202);
        assertThat(lookedUp.body()).doesNotContain("SCOPED-0001");
        var ownOutcome =
                client.get("requests/" + taken.headers().get("tally-request-id").getFirst(), Map.of());
        assertThat(ownOutcome.status()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void shouldKeepEverySecretOfTheDemoTenantOffEveryTopic() throws Exception {
        // given: a user-based license made and activated with the user's password, beside everything above
        assertThat(management(
                                "POST",
                                "/api/v1/products/",
                                demo.managementKey(),
                                null,
                                Map.of(
                                        "product_name",
                                        "Seats",
                                        "short_code",
                                        "seat-app",
                                        "authorization_method",
                                        "user"))
                        .statusCode())
                .isEqualTo(201);
        assertThat(management(
                                "POST",
                                "/api/v1/orders/create_order/",
                                demo.managementKey(),
                                null,
                                Map.of(
                                        "id",
                                        "order-seats",
                                        "items",
                                        List.of(Map.of(
                                                "product_code",
                                                "seat-app",
                                                "licenses",
                                                List.of(Map.of(
                                                        "users",
                                                        List.of(Map.of("email", USER, "password", PASSWORD))))))))
                        .statusCode())
                .isEqualTo(201);
        var activated = client.post(
                "activate_license",
                Map.of("product", "seat-app", "username", USER, "password", PASSWORD, "hardware_id", "ada-laptop"));
        assertThat(activated.status()).as(activated.body()).isEqualTo(200);
        var wrongPassword = client.post(
                "activate_license",
                Map.of("product", "seat-app", "username", USER, "password", "wrong", "hardware_id", "ada-laptop"));
        assertThat(wrongPassword.status()).isEqualTo(400);

        // when: every record of every topic is read, keys, values and headers
        List<byte[]> everything = new ArrayList<>();
        try (var admin = Admin.create(Map.of("bootstrap.servers", infra.bootstrapServers()))) {
            for (String topic : admin.listTopics().names().get()) {
                for (var record : allRecords(topic)) {
                    everything.add(
                            record.key() == null ? new byte[0] : record.key().getBytes(StandardCharsets.UTF_8));
                    everything.add(record.value() == null ? new byte[0] : record.value());
                    record.headers().forEach(header -> everything.add(header.value()));
                }
            }
        }

        // then: no secret, nor the digest a password used to travel as
        String privateKeyBody = demo.responsePrivateKey()
                .lines()
                .filter(line -> !line.startsWith("-----"))
                .skip(3)
                .findFirst()
                .orElseThrow();
        Map<String, String> secrets = Map.of(
                "shared key", demo.sharedKey(),
                "management key", demo.managementKey(),
                "private key", privateKeyBody,
                "password", PASSWORD,
                "password digest", CommandSecrets.passwordDigest(USER, PASSWORD));
        assertThat(everything).hasSizeGreaterThan(100);
        secrets.forEach((name, secret) -> assertThat(everything.stream()
                        .map(bytes -> new String(bytes, StandardCharsets.ISO_8859_1))
                        .filter(text -> text.contains(secret)))
                .as(name + " on a topic")
                .isEmpty());
    }

    private static long total() throws Exception {
        return Database.queryLong(
                database,
                "select total_consumptions from license where license_key = '" + DemoSeeder.LICENSE_KEY
                        + "' and tenant_id = '" + demo.tenantId() + "'");
    }

    private static String header(ConsumerRecord<String, byte[]> record) {
        var header = record.headers().lastHeader(EnvelopeSignature.COMMAND_ID_HEADER);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The reasons of the dead letters of {@code requestId}, waiting up to 30 s for {@code expected} of them. */
    private static List<String> deadLetterReasons(String requestId, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> reasons = List.of();
        while (reasons.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
            reasons = allRecords(Topics.COMMANDS_DLT, "read_committed").stream()
                    .filter(record -> requestId.equals(header(record)))
                    .map(record -> new String(
                            record.headers()
                                    .lastHeader(Topics.DLT_REASON_HEADER)
                                    .value(),
                            StandardCharsets.UTF_8))
                    .toList();
        }
        return reasons;
    }

    /** The first record of the commands topic matching {@code wanted}, waiting up to 30 s for it. */
    private static ConsumerRecord<String, byte[]> commandRecord(Predicate<ConsumerRecord<String, byte[]>> wanted)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<String, byte[]>> records = allRecords(Topics.COMMANDS);
            for (int i = records.size() - 1; i >= 0; i--) {
                if (wanted.test(records.get(i))) {
                    return records.get(i);
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no such command record within 30 s");
    }

    private static ProducerRecord<String, byte[]> copy(ConsumerRecord<String, byte[]> record, String key) {
        var headers = new RecordHeaders();
        record.headers().forEach(header -> headers.add(new RecordHeader(header.key(), header.value())));
        return new ProducerRecord<>(Topics.COMMANDS, null, key, record.value(), headers);
    }

    private static void produce(List<ProducerRecord<String, byte[]>> records) throws Exception {
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", infra.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (var record : records) {
                producer.send(record).get();
            }
        }
    }

    /** Every record of {@code topic}, aborted ones included, as of now. */
    private static List<ConsumerRecord<String, byte[]>> allRecords(String topic) {
        return allRecords(topic, "read_uncommitted");
    }

    private static List<ConsumerRecord<String, byte[]>> allRecords(String topic, String isolationLevel) {
        var props = new java.util.Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static HttpResponse<String> management(
            String method, String path, String managementKey, String idempotencyKey, Map<String, ?> body)
            throws Exception {
        var request = HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + path))
                .header("Authorization", "Api-Key " + managementKey)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double metric(String name) throws Exception {
        String text = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(pipeline.gatewayManagementUrl() + "/actuator/prometheus"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return text.lines()
                .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static void awaitMetric(String name, double atLeast) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (metric(name) < atLeast) {
            assertThat(System.nanoTime()).as(name + " to reach " + atLeast).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
