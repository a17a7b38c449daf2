package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.LicenseApiClient;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.Topics;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole path on real infrastructure: HTTP into the gateway, Kafka, the worker, PostgreSQL, and back. Each test
 * uses licenses of its own, so the order of tests does not matter.
 */
class PipelineIT {

    static final String PRODUCT = "it-app";
    static final String HW = "it-device";
    static final TenantCredentials TENANT =
            new TenantCredentials("it-tenant", "it-api-key", "it-shared-key-0123456789", "it-mgmt-key");
    static final String ENVELOPE_KEY = "it-envelope-key-0123456789abcdef";

    static TestInfrastructure infra;
    static TallyPipeline pipeline;
    static LicenseApiClient client;
    static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void startPipeline() throws SQLException {
        infra = TestInfrastructure.get();
        String jdbcUrl = infra.newDatabase("pipeline_it");
        var db = infra.databaseServer();
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(), jdbcUrl, db.username(), db.password(), ENVELOPE_KEY, 0, 0, 3));
        pipeline.tenants().register("IT company", TENANT);
        sql("insert into product (tenant_id, short_code, name) values ('it-tenant', '" + PRODUCT + "', 'IT app')");
        pipeline.startGateway();
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
        client = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), TENANT.apiKey(), TENANT.sharedKey());
    }

    @AfterAll
    static void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldApplyConsumptionDurablyAndAnswerWithTheReferenceBody() throws Exception {
        // given
        long licenseId = license("KEY-OK", 100);

        // when
        var first = consume("KEY-OK", 5);
        var second = consume("KEY-OK", 2);

        // then
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body())
                .isEqualTo("{\"id\":" + licenseId + ",\"max_consumptions\":100,\"total_consumptions\":5,"
                        + "\"allow_unlimited_consumptions\":false,\"allow_negative_consumptions\":false,"
                        + "\"allow_overages\":false,\"max_overages\":0,\"reset_consumption\":false,"
                        + "\"consumption_period\":null}");
        assertThat(first.headers()).containsKey("tally-request-id");
        assertThat(JSON.readTree(second.body()).get("total_consumptions").asLong())
                .isEqualTo(7);
        // a 200 means it is in PostgreSQL: totals and one ledger row per request
        assertThat(total(licenseId)).isEqualTo(7);
        String requestId = first.headers().get("tally-request-id").getFirst();
        assertThat(queryLong("select count(*) from command_ledger where command_id = '" + requestId
                        + "' and outcome = 'LicenseConsumed' and total_after = 5"))
                .isEqualTo(1);
    }

    @Test
    void shouldRefuseAndChangeNothingWhenLicenseIsUsedUp() throws Exception {
        // given
        long licenseId = license("KEY-SMALL", 3);
        assertThat(consume("KEY-SMALL", 3).status()).isEqualTo(200);

        // when
        var refused = consume("KEY-SMALL", 1);

        // then
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body())
                .isEqualTo("{\"status\":400,\"code\":\"license_not_enough_consumptions\","
                        + "\"message\":\"Not enough consumptions left\"}");
        assertThat(total(licenseId)).isEqualTo(3);
    }

    @Test
    void shouldRefuseUnknownProductAndLicense() throws Exception {
        var unknownProduct =
                client.post("add_consumption", Map.of("product", "nope", "license_key", "X", "hardware_id", HW));
        var unknownLicense = consume("NO-SUCH-KEY", 1);

        assertThat(JSON.readTree(unknownProduct.body()).get("code").asString()).isEqualTo("unknown_product");
        assertThat(JSON.readTree(unknownLicense.body()).get("code").asString()).isEqualTo("license_not_found");
    }

    @Test
    void shouldAcceptExactlyMaxConsumptionsFromAConcurrentBurst() throws Exception {
        // given
        int max = 60;
        int clients = 200;
        long licenseId = license("KEY-BURST", max);
        var start = new CountDownLatch(1);
        Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> byCode = new ConcurrentHashMap<>();

        // when
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                calls.add(pool.submit(() -> {
                    start.await();
                    var response = consume("KEY-BURST", 1);
                    byStatus.computeIfAbsent(response.status(), s -> new AtomicInteger())
                            .incrementAndGet();
                    if (response.status() != 200) {
                        byCode.computeIfAbsent(
                                        JSON.readTree(response.body())
                                                .get("code")
                                                .asString(),
                                        c -> new AtomicInteger())
                                .incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> call : calls) {
                call.get();
            }
        }

        // then
        assertThat(byStatus.get(200)).hasValue(max);
        assertThat(byStatus.get(400)).hasValue(clients - max);
        assertThat(byCode).containsOnlyKeys("license_not_enough_consumptions");
        assertThat(total(licenseId)).isEqualTo(max);
        assertThat(queryLong("select count(*) from command_ledger where license_id = " + licenseId
                        + " and outcome = 'LicenseConsumed'"))
                .isEqualTo(max);
        assertThat(queryLong("select count(*) from command_ledger where license_id = " + licenseId))
                .isEqualTo(clients);
    }

    @Test
    void shouldProduceNothingForBadInputOrBadSignature() throws Exception {
        // given
        license("KEY-BAD", 10);
        long before = commandsEndOffset();
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        var http = HttpClient.newHttpClient();

        // when
        var badBody = client.post("add_consumption", Map.of("product", PRODUCT, "hardware_id", HW));
        var wrongType = client.post(
                "add_consumption",
                Map.of("product", PRODUCT, "license_key", "KEY-BAD", "hardware_id", HW, "consumptions", "many"));
        var forged = http.send(
                HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + "/api/v4/add_consumption"))
                        .header("Content-Type", "application/json")
                        .header("Date", date)
                        .header("Authorization", LicenseApiClient.authorization(TENANT.apiKey(), "wrong-key", date))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"product\":\"" + PRODUCT
                                + "\",\"license_key\":\"KEY-BAD\",\"hardware_id\":\"" + HW + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        // then
        assertThat(badBody.status()).isEqualTo(400);
        assertThat(JSON.readTree(badBody.body()).get("code").asString()).isEqualTo("missing_parameters");
        assertThat(JSON.readTree(wrongType.body()).get("code").asString()).isEqualTo("validation_error");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).doesNotContain(TENANT.sharedKey());
        assertThat(commandsEndOffset()).isEqualTo(before);
    }

    @Test
    void shouldDeadLetterUnsignedAndTamperedRecordsAndKeepGoing() throws Exception {
        // given
        long licenseId = license("KEY-POISON", 10);
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", infra.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            Topics.COMMANDS, "poison-unsigned", "{}".getBytes(StandardCharsets.UTF_8)))
                    .get();
            var tampered = new ProducerRecord<>(
                    Topics.COMMANDS, "poison-tampered", "{\"schema_version\":1}".getBytes(StandardCharsets.UTF_8));
            tampered.headers().add(EnvelopeSignature.KEY_ID_HEADER, "k1".getBytes(StandardCharsets.UTF_8));
            tampered.headers().add(EnvelopeSignature.SIGNATURE_HEADER, "AAAA".getBytes(StandardCharsets.UTF_8));
            producer.send(tampered).get();
        }

        // when
        var afterPoison = consume("KEY-POISON", 1);

        // then
        assertThat(afterPoison.status()).isEqualTo(200);
        assertThat(total(licenseId)).isEqualTo(1);
        Map<String, String> reasons = deadLetterReasons(2);
        assertThat(reasons.get("poison-unsigned")).startsWith("unsigned");
        assertThat(reasons.get("poison-tampered")).startsWith("bad signature").doesNotContain("AAAA");
    }

    @Test
    void shouldApplyACommandOnceWhenDeliveredTwice() throws Exception {
        // given: one signed command, as a gateway would produce it, delivered twice (a producer retry or a replay)
        long licenseId = license("KEY-TWICE", 10);
        var command = new LicenseCommand.ConsumeLicense(
                UUID.randomUUID(),
                Instant.now(),
                TENANT.tenantId(),
                null,
                new LicenseRef(PRODUCT, "KEY-TWICE", null),
                HW,
                4,
                null,
                null);
        byte[] value = new ProtocolCodec().encodeCommand(command);
        String signature = new EnvelopeSignature("k1", Map.of("k1", ENVELOPE_KEY)).sign(value);

        // when
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", infra.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (int delivery = 0; delivery < 2; delivery++) {
                var record = new ProducerRecord<>(Topics.COMMANDS, command.partitionKey(), value);
                record.headers().add(EnvelopeSignature.KEY_ID_HEADER, "k1".getBytes(StandardCharsets.UTF_8));
                record.headers().add(EnvelopeSignature.SIGNATURE_HEADER, signature.getBytes(StandardCharsets.UTF_8));
                producer.send(record).get();
            }
        }
        var later = consume("KEY-TWICE", 1); // same partition, so it is decided after both deliveries

        // then
        assertThat(later.status()).isEqualTo(200);
        assertThat(JSON.readTree(later.body()).get("total_consumptions").asLong())
                .isEqualTo(5);
        assertThat(total(licenseId)).isEqualTo(5);
        assertThat(queryLong("select count(*) from command_ledger where command_id = '" + command.commandId() + "'"))
                .isEqualTo(1);
    }

    @Test
    void shouldActivateCheckConsumeFeaturesAndDeactivateThroughTheLicenseApi() throws Exception {
        // given: a product with a consumption feature and an order for one license, through the Management API
        long productId = json(manage(
                        "POST",
                        "/api/v1/products/",
                        Map.of(
                                "product_name",
                                "Flow",
                                "short_code",
                                "flow-app",
                                "max_consumptions",
                                50,
                                "max_activations",
                                1)))
                .get("id")
                .asLong();
        manage(
                "POST",
                "/api/v1/product-features/",
                Map.of(
                        "product",
                        productId,
                        "code",
                        "export",
                        "name",
                        "Export",
                        "feature_type",
                        "consumption",
                        "max_consumption",
                        3));
        var order = json(manage(
                "POST",
                "/api/v1/orders/create_order/",
                Map.of(
                        "id",
                        "order-flow",
                        "customer",
                        Map.of("email", "c@example.com"),
                        "items",
                        List.of(Map.of("product_code", "flow-app", "licenses", List.of(Map.of("key", "FLOW-1")))))));
        long licenseId = order.get("licenses").get(0).get("id").asLong();
        Map<String, Object> identity = Map.of("product", "flow-app", "license_key", "FLOW-1", "hardware_id", "hw-a");

        // when / then: activation, then the activation limit
        var activated = client.post("activate_license", with(identity, "hostname", "box-a"));
        assertThat(activated.status()).isEqualTo(200);
        assertThat(json(activated.body()).get("license_active").asBoolean()).isTrue();
        assertThat(json(activated.body()).get("device_id").isNumber()).isTrue();
        assertThat(json(activated.body()).get("license_signature").asString()).isNotEmpty();
        assertThat(activated.headers()).containsKey("licensesignature");
        var second = client.post(
                "activate_license", Map.of("product", "flow-app", "license_key", "FLOW-1", "hardware_id", "hw-b"));
        assertThat(code(second)).isEqualTo("license_activated_max_times");

        // feature consumption up to its own limit
        var feature = client.post("add_feature_consumption", with(identity, "feature", "export", "consumptions", 3));
        assertThat(feature.status()).isEqualTo(200);
        assertThat(json(feature.body()).get("total_consumptions").asLong()).isEqualTo(3);
        assertThat(json(feature.body()).get("max_consumptions").asLong()).isEqualTo(3);
        assertThat(code(client.post("add_feature_consumption", with(identity, "feature", "export", "consumptions", 1))))
                .isEqualTo("feature_not_enough_consumptions");
        assertThat(code(client.post("add_feature_consumption", with(identity, "feature", "nope"))))
                .isEqualTo("unsupported_product_feature");

        // check reads every change accepted before it
        var checked = client.get("check_license", identity);
        assertThat(checked.status()).isEqualTo(200);
        assertThat(json(checked.body())
                        .get("product_features")
                        .get(0)
                        .get("total_consumptions")
                        .asLong())
                .isEqualTo(3);
        var checkedFeature = client.get("check_license_feature", with(identity, "feature", "export"));
        assertThat(json(checkedFeature.body()).get("code").asString()).isEqualTo("export");
        assertThat(code(client.get("check_license_feature", with(identity, "feature", "nope"))))
                .isEqualTo("invalid_license_feature_code");

        // deactivation adds buffered consumptions first
        var deactivated = client.post("deactivate_license", with(identity, "consumptions", 7));
        assertThat(deactivated.status()).isEqualTo(200);
        assertThat(deactivated.body()).isEqualTo("\"license_deactivated\"");
        assertThat(total(licenseId)).isEqualTo(7);
        assertThat(code(client.post("add_consumption", identity))).isEqualTo("license_not_active");

        // management: disable, reset, read
        assertThat(json(manage("POST", "/api/v1/licenses/" + licenseId + "/disable/", null))
                        .get("license_enabled")
                        .asBoolean())
                .isFalse();
        assertThat(code(client.post("activate_license", identity))).isEqualTo("license_not_enabled");
        manage("POST", "/api/v1/licenses/" + licenseId + "/enable/", null);
        assertThat(json(manage("POST", "/api/v1/licenses/" + licenseId + "/reset_consumption", null))
                        .get("message")
                        .asString())
                .isEqualTo("License consumption reset.");
        assertThat(json(manage("GET", "/api/v1/licenses/" + licenseId + "/", null))
                        .get("total_consumptions")
                        .asLong())
                .isZero();
    }

    @Test
    void shouldKeepTenantsApart() throws Exception {
        // given: a second tenant with a license of its own
        var other =
                new TenantCredentials("other-tenant", "other-api-key", "other-shared-key-0123456789", "other-mgmt-key");
        pipeline.tenants().register("Other company", other);
        sql("insert into product (tenant_id, short_code, name) values ('other-tenant', 'secret-app', 'Secret')");
        long othersLicense = queryLong(
                "insert into license (tenant_id, product_id, license_key, max_consumptions) "
                        + "select 'other-tenant', id, 'SECRET-1', 10 from product where short_code = 'secret-app' returning id");
        awaitManagementKey(other.managementKey());

        // when: the first tenant's keys name the other tenant's product and license
        var consume = client.post(
                "add_consumption", Map.of("product", "secret-app", "license_key", "SECRET-1", "hardware_id", HW));
        var read = managementCall(TENANT.managementKey(), "GET", "/api/v1/licenses/" + othersLicense + "/", null);
        var reset = managementCall(
                TENANT.managementKey(), "POST", "/api/v1/licenses/" + othersLicense + "/reset_consumption", null);

        // then
        assertThat(code(consume)).isEqualTo("unknown_product");
        assertThat(read.statusCode()).isEqualTo(404);
        assertThat(reset.statusCode()).isEqualTo(404);
        assertThat(managementCall(other.managementKey(), "GET", "/api/v1/licenses/" + othersLicense + "/", null)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void shouldAnswerRetriesWithTheSameIdempotencyKeyOnce() throws Exception {
        // given
        long licenseId = license("KEY-IDEM", 100);
        Map<String, Object> body =
                Map.of("product", PRODUCT, "license_key", "KEY-IDEM", "hardware_id", HW, "consumptions", 5);
        int retries = 20;

        // when: the same key and body, sent concurrently
        List<LicenseApiClient.Response> answers = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<LicenseApiClient.Response>> calls = new ArrayList<>();
            for (int i = 0; i < retries; i++) {
                calls.add(
                        pool.submit(() -> client.post("add_consumption", body, Map.of("Idempotency-Key", "retry-1"))));
            }
            for (var call : calls) {
                answers.add(call.get());
            }
        }
        var reused = client.post(
                "add_consumption",
                Map.of("product", PRODUCT, "license_key", "KEY-IDEM", "hardware_id", HW, "consumptions", 6),
                Map.of("Idempotency-Key", "retry-1"));

        // then
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.status()).isEqualTo(200);
            assertThat(json(answer.body()).get("total_consumptions").asLong()).isEqualTo(5);
        });
        assertThat(reused.status()).isEqualTo(422);
        assertThat(code(reused)).isEqualTo("idempotency_key_reused");
        assertThat(total(licenseId)).isEqualTo(5);
    }

    private static JsonNode json(String body) {
        return JSON.readTree(body);
    }

    private static String code(LicenseApiClient.Response response) {
        return json(response.body()).get("code").asString();
    }

    private static Map<String, Object> with(Map<String, Object> base, Object... more) {
        Map<String, Object> merged = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < more.length; i += 2) {
            merged.put((String) more[i], more[i + 1]);
        }
        return merged;
    }

    private static String manage(String method, String path, Object body) throws Exception {
        var response = managementCall(TENANT.managementKey(), method, path, body);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isBetween(200, 201);
        return response.body();
    }

    private static HttpResponse<String> managementCall(String key, String method, String path, Object body)
            throws Exception {
        var request = HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + path))
                .header("Authorization", "Api-Key " + key)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitManagementKey(String key) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (managementCall(key, "GET", "/api/v1/licenses/0/", null).statusCode() == 401) {
            assertThat(System.nanoTime())
                    .as("management key known to the gateway")
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static LicenseApiClient.Response consume(String licenseKey, int consumptions) throws Exception {
        return client.post(
                "add_consumption",
                Map.of("product", PRODUCT, "license_key", licenseKey, "hardware_id", HW, "consumptions", consumptions));
    }

    /** A consumption license with one active device. */
    private static long license(String key, long maxConsumptions) throws SQLException {
        long id = queryLong("insert into license (tenant_id, product_id, license_key, license_type, max_consumptions) "
                + "select 'it-tenant', id, '" + key + "', 'consumption', " + maxConsumptions
                + " from product where short_code = '" + PRODUCT + "' returning id");
        sql("insert into device (license_id, hardware_id) values (" + id + ", '" + HW + "')");
        return id;
    }

    private static long total(long licenseId) throws SQLException {
        return queryLong("select total_consumptions from license where id = " + licenseId);
    }

    private static void sql(String statement) throws SQLException {
        try (Connection connection = pipeline.dataSource().getConnection()) {
            connection.createStatement().execute(statement);
        }
    }

    private static long queryLong(String query) throws SQLException {
        try (Connection connection = pipeline.dataSource().getConnection()) {
            var rows = connection.createStatement().executeQuery(query);
            rows.next();
            return rows.getLong(1);
        }
    }

    private static long commandsEndOffset() throws Exception {
        try (var admin = Admin.create(Map.of("bootstrap.servers", infra.bootstrapServers()))) {
            var partitions = admin.describeTopics(List.of(Topics.COMMANDS))
                    .allTopicNames()
                    .get()
                    .get(Topics.COMMANDS)
                    .partitions();
            Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
            partitions.forEach(
                    p -> request.put(new TopicPartition(Topics.COMMANDS, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(request).all().get().values().stream()
                    .mapToLong(info -> info.offset())
                    .sum();
        }
    }

    private static Map<String, String> deadLetterReasons(int expected) {
        var props = new java.util.Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-dlt-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, String> reasons = new java.util.HashMap<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.COMMANDS_DLT));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (reasons.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    var reason = record.headers().lastHeader("tally-dlt-reason");
                    reasons.put(
                            record.key(), reason == null ? null : new String(reason.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return reasons;
    }
}
