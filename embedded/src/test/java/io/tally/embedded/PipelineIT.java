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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
        // A shallow history offset, so that paging past it (by cursor) is seen with a handful of entries.
        pipeline.startGateway(Map.of("tally.limits.max-history-offset", HISTORY_OFFSET_LIMIT));
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
    void shouldDecideOnTheDatabaseStateWhenALicenseTheWorkerCachedIsChangedOutsideIt() throws Exception {
        // given: a license the worker has decided on, so it holds the license's state
        long licenseId = license("KEY-CHANGED", 10);
        assertThat(consume("KEY-CHANGED", 5).status()).isEqualTo(200);
        assertThat(code(consume("KEY-CHANGED", 6))).isEqualTo("license_not_enough_consumptions");

        // when: an operator raises the limit
        sql("update license set max_consumptions = 20 where id = " + licenseId);

        // then
        var raised = consume("KEY-CHANGED", 6);
        assertThat(raised.status()).as(raised.body()).isEqualTo(200);
        assertThat(total(licenseId)).isEqualTo(11);

        // when: an operator deactivates the device, then a total is corrected by hand
        sql("update device set active = false where license_id = " + licenseId);

        // then
        assertThat(code(consume("KEY-CHANGED", 1))).isEqualTo("license_not_active");
        sql("update device set active = true where license_id = " + licenseId);
        sql("update license set total_consumptions = 19 where id = " + licenseId);
        assertThat(consume("KEY-CHANGED", 1).status()).isEqualTo(200);
        assertThat(code(consume("KEY-CHANGED", 1))).isEqualTo("license_not_enough_consumptions");
        assertThat(total(licenseId)).isEqualTo(20);
    }

    @Test
    void shouldListALicensesConsumptionsNewestFirstInPagesWhenAsked() throws Exception {
        // given: two applied consumptions and a refused one
        long licenseId = license("KEY-HISTORY", 10);
        Instant before = Instant.now().minusSeconds(1);
        assertThat(consume("KEY-HISTORY", 3).status()).isEqualTo(200);
        assertThat(consume("KEY-HISTORY", 4).status()).isEqualTo(200);
        assertThat(consume("KEY-HISTORY", 5).status()).isEqualTo(400);
        String history = "/api/v1/licenses/" + licenseId + "/consumptions/";

        // when
        var first = managementCall(TENANT.managementKey(), "GET", history + "?limit=2", null);
        var second = managementCall(TENANT.managementKey(), "GET", history + "?limit=2&offset=2", null);
        var bounded = managementCall(
                TENANT.managementKey(), "GET", history + "?from=" + before.plusSeconds(3_600) + "&to=2999-01-01", null);

        // then
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        JsonNode page = json(first.body());
        assertThat(page.get("count").asLong()).isEqualTo(3);
        assertThat(page.get("next").asString()).isEqualTo(history + "?limit=2&offset=2");
        assertThat(page.get("previous").isNull()).isTrue();
        JsonNode newest = page.get("results").get(0);
        assertThat(newest.get("consumptions").asInt()).isEqualTo(5);
        assertThat(newest.get("outcome").asString()).isEqualTo("CommandRejected");
        assertThat(newest.get("code").asString()).isEqualTo("license_not_enough_consumptions");
        JsonNode applied = page.get("results").get(1);
        assertThat(applied.get("type").asString()).isEqualTo("ConsumeLicense");
        assertThat(applied.get("total_before").asLong()).isEqualTo(3);
        assertThat(applied.get("total_after").asLong()).isEqualTo(7);
        assertThat(applied.get("hardware_id").asString()).isEqualTo(HW);
        JsonNode rest = json(second.body());
        assertThat(rest.get("results")).hasSize(1);
        assertThat(rest.get("results").get(0).get("consumptions").asInt()).isEqualTo(3);
        assertThat(rest.get("next").isNull()).isTrue();
        assertThat(rest.get("previous").asString()).isEqualTo(history + "?limit=2&offset=0");
        assertThat(json(bounded.body()).get("count").asLong()).isZero();
    }

    static final int HISTORY_OFFSET_LIMIT = 2;

    @Test
    void shouldPageByCursorPastTheDeepestOffsetWhenFollowingNextLinks() throws Exception {
        // given: five consumptions, pages of two, offsets allowed up to two
        long licenseId = license("KEY-HISTORY-DEEP", 100);
        List<Integer> sent = new ArrayList<>();
        for (int units = 1; units <= 5; units++) {
            assertThat(consume("KEY-HISTORY-DEEP", units).status()).isEqualTo(200);
            sent.add(0, units);
        }
        String link = "/api/v1/licenses/" + licenseId + "/consumptions/?limit=2";

        // when: following next links to the end
        List<Integer> seen = new ArrayList<>();
        List<String> links = new ArrayList<>();
        while (link != null && links.size() < 10) {
            links.add(link);
            var page = managementCall(TENANT.managementKey(), "GET", link, null);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            JsonNode body = json(page.body());
            body.get("results")
                    .forEach(entry -> seen.add(entry.get("consumptions").asInt()));
            link = body.get("next").isNull() ? null : body.get("next").asString();
        }
        var offsetTooDeep = managementCall(
                TENANT.managementKey(),
                "GET",
                "/api/v1/licenses/" + licenseId + "/consumptions/?offset=" + (HISTORY_OFFSET_LIMIT + 1),
                null);
        var forgedCursor = managementCall(
                TENANT.managementKey(), "GET", "/api/v1/licenses/" + licenseId + "/consumptions/?cursor=bm9wZQ", null);

        // then: every entry once, newest first; the third page by cursor, not by offset
        assertThat(seen).isEqualTo(sent);
        assertThat(links).hasSize(3);
        assertThat(links.get(1)).contains("offset=2");
        assertThat(links.get(2)).contains("cursor=").doesNotContain("offset");
        assertThat(offsetTooDeep.statusCode()).isEqualTo(400);
        assertThat(json(forgedCursor.body()).get("message").asString()).startsWith("cursor:");
    }

    @Test
    void shouldRefuseBadHistoryParametersAndUnknownLicenses() throws Exception {
        long licenseId = license("KEY-HISTORY-BAD", 10);
        String history = "/api/v1/licenses/" + licenseId + "/consumptions/";
        long commandsBefore = commandsEndOffset();

        var badLimit = managementCall(TENANT.managementKey(), "GET", history + "?limit=0", null);
        var badFrom = managementCall(TENANT.managementKey(), "GET", history + "?from=yesterday", null);
        var backwards = managementCall(TENANT.managementKey(), "GET", history + "?from=2026-11-28&to=2026-11-27", null);

        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(json(badLimit.body()).get("code").asString()).isEqualTo("validation_error");
        assertThat(json(badLimit.body()).get("message").asString()).startsWith("limit:");
        assertThat(json(badFrom.body()).get("message").asString()).startsWith("from:");
        assertThat(json(backwards.body()).get("message").asString()).startsWith("to:");
        assertThat(commandsEndOffset()).isEqualTo(commandsBefore);
        var unknown = managementCall(TENANT.managementKey(), "GET", "/api/v1/licenses/987654321/consumptions/", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
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
        Map<String, String> reasons = deadLetterReasons("poison-unsigned", "poison-tampered");
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
        var signer = new EnvelopeSignature("k1", Map.of("k1", ENVELOPE_KEY));

        // when
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", infra.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (int delivery = 0; delivery < 2; delivery++) {
                var record = new ProducerRecord<>(Topics.COMMANDS, command.partitionKey(), value);
                producer.send(signer.signRecord(EnvelopeSignature.Kind.COMMAND, record))
                        .get();
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

    @Test
    void shouldServeUserBasedLicensesAndBlacklistDevices() throws Exception {
        // given: a user-based product and an order with one user
        manage(
                "POST",
                "/api/v1/products/",
                Map.of(
                        "product_name",
                        "Seats",
                        "short_code",
                        "seat-app",
                        "authorization_method",
                        "user",
                        "max_consumptions",
                        10,
                        "max_activations",
                        2));
        manage(
                "POST",
                "/api/v1/orders/create_order/",
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
                                        List.of(Map.of("email", "ann@example.com", "password", "s3cret"))))))));
        Map<String, Object> ann =
                Map.of("product", "seat-app", "username", "ann@example.com", "hardware_id", "ann-laptop");

        // when
        var activated = client.post("activate_license", with(ann, "password", "s3cret"));
        var consumed = client.post("add_consumption", with(ann, "consumptions", 2));
        long deviceId = json(activated.body()).get("device_id").asLong();
        var blacklisted =
                managementCall(TENANT.managementKey(), "POST", "/api/v1/devices/" + deviceId + "/blacklist/", null);
        var afterBlacklist = client.post("add_consumption", ann);

        // then
        assertThat(activated.status()).as(activated.body()).isEqualTo(200);
        assertThat(json(activated.body()).get("user").get("email").asString()).isEqualTo("ann@example.com");
        assertThat(json(consumed.body()).get("total_consumptions").asLong()).isEqualTo(2);
        assertThat(blacklisted.statusCode()).isEqualTo(200);
        assertThat(code(afterBlacklist)).isEqualTo("license_not_active");
        assertThat(code(client.post("activate_license", with(ann, "password", "s3cret"))))
                .isEqualTo("blacklisted");
    }

    @Test
    void shouldServeTheOpenApiDocument() throws Exception {
        var response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + "/openapi.yaml"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("openapi: 3.1.0").contains("/api/v4/add_feature_consumption");
    }

    @Test
    void shouldLetOneLicenseOverrideItsCopyOfAProductFeature() throws Exception {
        // given: two licenses of a product whose feature allows 2
        long productId = json(manage(
                        "POST",
                        "/api/v1/products/",
                        Map.of(
                                "product_name",
                                "Override",
                                "short_code",
                                "override-app",
                                "max_consumptions",
                                10,
                                "max_activations",
                                5)))
                .get("id")
                .asLong();
        long featureId = json(manage(
                        "POST",
                        "/api/v1/product-features/",
                        Map.of("product", productId, "code", "render", "name", "Render", "max_consumption", 2)))
                .get("id")
                .asLong();
        var order = json(manage(
                "POST",
                "/api/v1/orders/create_order/",
                Map.of(
                        "id",
                        "order-override",
                        "items",
                        List.of(Map.of(
                                "product_code",
                                "override-app",
                                "licenses",
                                List.of(Map.of("key", "OVR-1"), Map.of("key", "OVR-2")))))));
        long first = order.get("licenses").get(0).get("id").asLong();
        for (String key : List.of("OVR-1", "OVR-2")) {
            client.post("activate_license", Map.of("product", "override-app", "license_key", key, "hardware_id", HW));
        }

        // when: the first license's copy is raised to 5
        var override = managementCall(
                TENANT.managementKey(),
                "POST",
                "/api/v1/license-product-features/",
                Map.of("license", first, "product_feature", featureId, "max_consumption", 5));

        // then
        assertThat(override.statusCode()).as(override.body()).isEqualTo(201);
        var raised = client.post(
                "add_feature_consumption",
                Map.of(
                        "product",
                        "override-app",
                        "license_key",
                        "OVR-1",
                        "hardware_id",
                        HW,
                        "feature",
                        "render",
                        "consumptions",
                        5));
        var untouched = client.post(
                "add_feature_consumption",
                Map.of(
                        "product",
                        "override-app",
                        "license_key",
                        "OVR-2",
                        "hardware_id",
                        HW,
                        "feature",
                        "render",
                        "consumptions",
                        3));
        assertThat(raised.status()).as(raised.body()).isEqualTo(200);
        assertThat(code(untouched)).isEqualTo("feature_not_enough_consumptions");
    }

    @Test
    void shouldAnswerABatchInOrderAndApplyEachOperationOnce() throws Exception {
        // given
        long licenseId = license("KEY-BATCH", 10);

        // when
        var response = client.post(
                "batch",
                Map.of(
                        "operations",
                        List.of(
                                Map.of(
                                        "op",
                                        "add_consumption",
                                        "product",
                                        PRODUCT,
                                        "license_key",
                                        "KEY-BATCH",
                                        "hardware_id",
                                        HW,
                                        "consumptions",
                                        4),
                                Map.of(
                                        "op",
                                        "add_consumption",
                                        "product",
                                        PRODUCT,
                                        "license_key",
                                        "KEY-BATCH",
                                        "hardware_id",
                                        HW,
                                        "consumptions",
                                        7),
                                Map.of("op", "add_consumption", "product", PRODUCT, "hardware_id", HW),
                                Map.of(
                                        "op",
                                        "add_consumption",
                                        "product",
                                        PRODUCT,
                                        "license_key",
                                        "KEY-BATCH",
                                        "hardware_id",
                                        HW,
                                        "consumptions",
                                        6))));

        // then
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.headers()).containsKeys("licensesignature", "tally-request-id");
        JsonNode results = json(response.body()).get("results");
        assertThat(results).hasSize(4);
        assertThat(results.get(0).get("total_consumptions").asLong()).isEqualTo(4);
        assertThat(results.get(1).get("code").asString()).isEqualTo("license_not_enough_consumptions");
        assertThat(results.get(2).get("code").asString()).isEqualTo("missing_parameters");
        assertThat(results.get(3).get("total_consumptions").asLong()).isEqualTo(10);
        assertThat(total(licenseId)).isEqualTo(10);
    }

    @Test
    void shouldNameEveryAnswerWithARequestIdRefusalsIncluded() throws Exception {
        var refused = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + "/api/v4/add_consumption"))
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(refused.headers().firstValue("Tally-Request-Id")).isPresent();
    }

    @Test
    void shouldRefuseOversizedBodiesWithoutProducingAnything() throws Exception {
        long before = commandsEndOffset();
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        byte[] huge = ("{\"product\":\"" + "x".repeat(2_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        var http = HttpClient.newHttpClient();

        var declared = http.send(
                HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + "/api/v4/add_consumption"))
                        .header("Content-Type", "application/json")
                        .header("Date", date)
                        .header(
                                "Authorization",
                                LicenseApiClient.authorization(TENANT.apiKey(), TENANT.sharedKey(), date))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(huge))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        var streamed = http.send(
                HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + "/api/v4/add_consumption"))
                        .header("Content-Type", "application/json")
                        .header("Date", date)
                        .header(
                                "Authorization",
                                LicenseApiClient.authorization(TENANT.apiKey(), TENANT.sharedKey(), date))
                        // no length known in advance: sent chunked
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(huge)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(json(declared.body()).get("code").asString()).isEqualTo("payload_too_large");
        assertThat(streamed.statusCode()).isEqualTo(413);
        assertThat(commandsEndOffset()).isEqualTo(before);
    }

    @Test
    void shouldDeadLetterASignedCommandOfAnUnknownSchemaVersion() throws Exception {
        byte[] value = "{\"schema_version\":2,\"type\":\"ConsumeLicense\"}".getBytes(StandardCharsets.UTF_8);
        var signer = new EnvelopeSignature("k1", Map.of("k1", ENVELOPE_KEY));
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", infra.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            var record = new ProducerRecord<>(Topics.COMMANDS, "poison-version", value);
            producer.send(signer.signRecord(EnvelopeSignature.Kind.COMMAND, record))
                    .get();
        }

        Map<String, String> reasons = deadLetterReasons("poison-version");
        assertThat(reasons.get("poison-version")).startsWith("unparseable").contains("schema_version");
    }

    /** One License API refusal: the call, and the code and status it must get. */
    record RefusalCase(String code, int status, String endpoint, Map<String, Object> fields) {
        @Override
        public String toString() {
            return code + " via " + endpoint;
        }
    }

    static java.util.stream.Stream<RefusalCase> refusals() {
        Map<String, Object> ok = Map.of("product", "codes-app", "license_key", "CODE-OK", "hardware_id", HW);
        return java.util.stream.Stream.of(
                new RefusalCase("unknown_product", 400, "add_consumption", with(ok, "product", "nope")),
                new RefusalCase("license_not_found", 400, "add_consumption", with(ok, "license_key", "NOPE")),
                new RefusalCase(
                        "license_not_enabled", 400, "add_consumption", with(ok, "license_key", "CODE-DISABLED")),
                new RefusalCase("license_not_active", 400, "add_consumption", with(ok, "license_key", "CODE-INACTIVE")),
                new RefusalCase(
                        "license_not_consumption", 400, "add_consumption", with(ok, "license_key", "CODE-PERPETUAL")),
                new RefusalCase(
                        "unsupported_product_feature",
                        400,
                        "add_feature_consumption",
                        with(ok, "feature", "activation-only")),
                new RefusalCase("blacklisted", 400, "add_consumption", with(ok, "license_key", "CODE-BLACK")),
                new RefusalCase("device_not_found", 400, "add_consumption", with(ok, "hardware_id", "stranger")),
                new RefusalCase(
                        "negative_consumptions_not_allowed", 400, "add_consumption", with(ok, "consumptions", -1)),
                new RefusalCase(
                        "license_not_enough_consumptions",
                        400,
                        "add_consumption",
                        with(ok, "license_key", "CODE-FULL")),
                new RefusalCase(
                        "feature_not_enough_consumptions",
                        400,
                        "add_feature_consumption",
                        with(ok, "feature", "metered", "consumptions", 2)),
                new RefusalCase(
                        "license_activated_max_times",
                        400,
                        "activate_license",
                        with(ok, "license_key", "CODE-MAXACT", "hardware_id", "newcomer")),
                new RefusalCase(
                        "invalid_license_feature_code", 400, "GET check_license_feature", with(ok, "feature", "zzz")),
                new RefusalCase(
                        "invalid_password",
                        400,
                        "activate_license",
                        Map.of(
                                "product",
                                "codes-users",
                                "username",
                                "u@example.com",
                                "password",
                                "wrong",
                                "hardware_id",
                                HW)),
                new RefusalCase("missing_parameters", 400, "add_consumption", Map.of("product", "codes-app")),
                new RefusalCase("validation_error", 400, "add_consumption", with(ok, "consumptions", 1.5)),
                new RefusalCase("validation_error", 400, "GET check_license", with(ok, "license_id", "x")));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("refusals")
    void shouldRefuseWithTheReferenceCodeAndChangeNothing(RefusalCase refusal) throws Exception {
        // given
        codeFixtures();
        long totalsBefore = queryLong("select coalesce(sum(total_consumptions), 0) from license")
                + queryLong("select coalesce(sum(total_consumptions), 0) from license_feature");

        // when
        var response = refusal.endpoint().startsWith("GET ")
                ? client.get(refusal.endpoint().substring(4), refusal.fields())
                : client.post(refusal.endpoint(), refusal.fields());

        // then
        assertThat(response.status()).as(response.body()).isEqualTo(refusal.status());
        assertThat(json(response.body()).get("status").asInt()).isEqualTo(refusal.status());
        assertThat(code(response)).isEqualTo(refusal.code());
        assertThat(json(response.body()).get("message").asString()).isNotBlank();
        assertThat(queryLong("select coalesce(sum(total_consumptions), 0) from license")
                        + queryLong("select coalesce(sum(total_consumptions), 0) from license_feature"))
                .isEqualTo(totalsBefore);
    }

    @Test
    void shouldRefuseTransportAndManagementErrorsWithTheirCodes() throws Exception {
        var http = HttpClient.newHttpClient();
        var unknownPath = http.send(
                HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + "/api/v4/nope"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        var noHeaders = http.send(
                HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + "/api/v4/add_consumption"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .header("Content-Type", "application/json")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        var notJson = http.send(
                HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + "/api/v4/add_consumption"))
                        .POST(HttpRequest.BodyPublishers.ofString("{not json"))
                        .header("Content-Type", "application/json")
                        .header("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)))
                        .header(
                                "Authorization",
                                LicenseApiClient.authorization(
                                        TENANT.apiKey(),
                                        TENANT.sharedKey(),
                                        DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Object> order = Map.of(
                "id",
                "order-twice",
                "items",
                List.of(Map.of("product_code", PRODUCT, "licenses", List.of(Map.of("key", "TWICE-1")))));
        var firstOrder = managementCall(TENANT.managementKey(), "POST", "/api/v1/orders/create_order/", order);
        var secondOrder = managementCall(TENANT.managementKey(), "POST", "/api/v1/orders/create_order/", order);
        var badManagementKey = managementCall("wrong", "GET", "/api/v1/licenses/1/", null);

        assertThat(unknownPath.statusCode()).isEqualTo(404);
        assertThat(json(unknownPath.body()).get("code").asString()).isEqualTo("not_found");
        assertThat(json(noHeaders.body()).get("code").asString()).isEqualTo("missing_headers");
        assertThat(json(notJson.body()).get("code").asString()).isEqualTo("invalid_json");
        assertThat(firstOrder.statusCode()).isEqualTo(201);
        assertThat(secondOrder.statusCode()).isEqualTo(409);
        assertThat(json(secondOrder.body()).get("code").asString()).isEqualTo("order_id_exists");
        assertThat(badManagementKey.statusCode()).isEqualTo(401);
    }

    @Test
    void shouldNeverGoPastAFeatureLimitUnderConcurrentClients() throws Exception {
        // given: 50 clients sending random amounts at one feature of one license
        long licenseId = license("KEY-FEATURE-BURST", 1000);
        long featureId = queryLong("insert into product_feature (product_id, code, name, max_consumption) "
                + "select id, 'burst-feature', 'Burst', 60 from product where short_code = '" + PRODUCT + "' "
                + "on conflict (product_id, code) do update set max_consumption = 60 returning id");
        sql("insert into license_feature (license_id, product_feature_id, max_consumption) values (" + licenseId + ", "
                + featureId + ", 60)");
        var random = new java.util.Random(42);
        int clients = 50;
        List<Integer> amounts = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            amounts.add(1 + random.nextInt(5));
        }
        var accepted = new java.util.concurrent.atomic.AtomicLong();
        var start = new CountDownLatch(1);

        // when
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> calls = new ArrayList<>();
            for (int amount : amounts) {
                calls.add(pool.submit(() -> {
                    start.await();
                    var response = client.post(
                            "add_feature_consumption",
                            Map.of(
                                    "product",
                                    PRODUCT,
                                    "license_key",
                                    "KEY-FEATURE-BURST",
                                    "hardware_id",
                                    HW,
                                    "feature",
                                    "burst-feature",
                                    "consumptions",
                                    amount));
                    if (response.status() == 200) {
                        accepted.addAndGet(amount);
                    } else {
                        assertThat(code(response)).isEqualTo("feature_not_enough_consumptions");
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
        long total = queryLong("select total_consumptions from license_feature where license_id = " + licenseId);
        assertThat(total).isEqualTo(accepted.get()).isLessThanOrEqualTo(60).isGreaterThan(55);
        assertThat(queryLong("select coalesce(sum(consumptions), 0) from command_ledger where license_id = " + licenseId
                        + " and outcome = 'FeatureConsumed'"))
                .isEqualTo(total);
    }

    private static boolean codeFixturesReady;

    /** Licenses in every state the refusal table needs, made once. */
    private static synchronized void codeFixtures() throws Exception {
        if (codeFixturesReady) {
            return;
        }
        long product = queryLong("insert into product (tenant_id, short_code, name) values ('it-tenant', 'codes-app', "
                + "'Codes') returning id");
        sql("insert into product_feature (product_id, code, name, feature_type, max_consumption) values (" + product
                + ", 'metered', 'Metered', 'consumption', 1), (" + product
                + ", 'activation-only', 'Flag', 'activation', 0)");
        long ok = codeLicense(product, "CODE-OK", "consumption", true, 10, 1);
        codeDevice(ok, HW, true, false);
        codeDevice(codeLicense(product, "CODE-DISABLED", "consumption", false, 10, 1), HW, true, false);
        codeDevice(codeLicense(product, "CODE-INACTIVE", "consumption", true, 10, 1), HW, false, false);
        codeDevice(codeLicense(product, "CODE-PERPETUAL", "perpetual", true, 10, 1), HW, true, false);
        long black = codeLicense(product, "CODE-BLACK", "consumption", true, 10, 2);
        codeDevice(black, "other", true, false);
        codeDevice(black, HW, false, true);
        codeDevice(codeLicense(product, "CODE-FULL", "consumption", true, 0, 1), HW, true, false);
        codeDevice(codeLicense(product, "CODE-MAXACT", "consumption", true, 10, 1), HW, true, false);
        sql("insert into license_feature (license_id, product_feature_id, max_consumption) "
                + "select l.id, f.id, f.max_consumption from license l join product_feature f on f.product_id = l.product_id "
                + "where l.product_id = " + product);
        long users = queryLong("insert into product (tenant_id, short_code, name, authorization_method) values "
                + "('it-tenant', 'codes-users', 'Users', 'user') returning id");
        var order = managementCall(
                TENANT.managementKey(),
                "POST",
                "/api/v1/orders/create_order/",
                Map.of(
                        "id",
                        "codes-users-order",
                        "items",
                        List.of(Map.of(
                                "product_code",
                                "codes-users",
                                "licenses",
                                List.of(Map.of(
                                        "users", List.of(Map.of("email", "u@example.com", "password", "right"))))))));
        assertThat(order.statusCode()).as(order.body() + " " + users).isEqualTo(201);
        codeFixturesReady = true;
    }

    private static long codeLicense(
            long product, String key, String type, boolean enabled, long max, int maxActivations) throws SQLException {
        return queryLong(
                "insert into license (tenant_id, product_id, license_key, license_type, enabled, max_consumptions, "
                        + "max_activations) values ('it-tenant', " + product + ", '" + key + "', '" + type + "', "
                        + enabled + ", "
                        + max + ", " + maxActivations + ") returning id");
    }

    private static void codeDevice(long license, String hardwareId, boolean active, boolean blacklisted)
            throws SQLException {
        sql("insert into device (license_id, hardware_id, active, blacklisted) values (" + license + ", '" + hardwareId
                + "', " + active + ", " + blacklisted + ")");
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
        Database.execute(pipeline.dataSource(), statement);
    }

    private static long queryLong(String query) throws SQLException {
        return Database.queryLong(pipeline.dataSource(), query);
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

    private static Map<String, String> deadLetterReasons(String... keys) {
        return KafkaState.deadLetterReasons(infra.bootstrapServers(), keys);
    }
}
