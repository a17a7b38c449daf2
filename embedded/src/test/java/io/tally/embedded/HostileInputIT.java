package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.DemoSeeder;
import io.tally.client.LicenseApiClient;
import io.tally.protocol.RejectionType;
import io.tally.protocol.TenantCredentials;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hostile values in every field of every License API and Management API endpoint, through the real pipeline
 * ({@link HostileCalls}): each call is answered 2xx or 4xx with a documented code, at once, never 5xx and never 503
 * {@code request_pending}; nothing reaches the worker that it cannot apply (no command of the tenant is refused as
 * {@code internal_error} or {@code validation_error} there). Afterwards another tenant's license answers 200 within a
 * second, and every license's totals equal its ledger.
 */
class HostileInputIT {

    static final TenantCredentials HOSTILE =
            new TenantCredentials("hostile-tenant", "hostile-api", "hostile-shared-0123456789", "hostile-mgmt");
    static final TenantCredentials CALM =
            new TenantCredentials("calm-tenant", "calm-api", "calm-shared-0123456789", "calm-mgmt");
    static final int CALLS = Integer.getInteger("hostile.calls", 600);
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** Every code the API documents (docs/license-api.md), but {@code internal_error}. */
    static final Set<String> DOCUMENTED = documentedCodes();

    static TestInfrastructure infra;
    static TallyPipeline pipeline;
    static DataSource database;
    static HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static long licenseId;
    static long spareLicenseId;

    @BeforeAll
    static void start() throws Exception {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        String jdbcUrl = infra.newDatabase("hostile_input_it");
        database = Database.of(jdbcUrl, db.username(), db.password());
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(),
                jdbcUrl,
                db.username(),
                db.password(),
                "hostile-envelope-0123456789",
                0,
                0,
                3));
        pipeline.tenants().register("Hostile company", HOSTILE);
        pipeline.tenants().register("Calm company", CALM);
        pipeline.startGateway(Map.of("tally.reply-timeout", "10s"));
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
        URI gateway = URI.create(pipeline.gatewayUrl());
        licenseId = new DemoSeeder(gateway, HOSTILE.apiKey(), HOSTILE.sharedKey(), HOSTILE.managementKey())
                .seed()
                .licenseId();
        new DemoSeeder(gateway, CALM.apiKey(), CALM.sharedKey(), CALM.managementKey()).seed();
        var spare = send(new HostileCalls.Call(
                "POST",
                "/api/v1/orders/create_order/",
                ("{\"id\":\"spare\",\"items\":[{\"product_code\":\"" + DemoSeeder.PRODUCT
                                + "\",\"licenses\":[{\"key\":\"SPARE-1\",\"license_type\":\"consumption\"}]}]}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of(),
                false));
        spareLicenseId =
                JSON.readTree(spare.body()).path("licenses").get(0).path("id").asLong();
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldAnswerEveryHostileCallWithADocumentedRefusalAndKeepServing() throws Exception {
        // given
        var calls = new HostileCalls(
                        DemoSeeder.PRODUCT,
                        DemoSeeder.LICENSE_KEY,
                        DemoSeeder.HARDWARE_ID,
                        DemoSeeder.FEATURE,
                        licenseId,
                        spareLicenseId)
                .calls();
        Map<String, Integer> statuses = new TreeMap<>();
        List<String> wrong = new java.util.ArrayList<>();

        // when / then: one call at a time, each answered at once with a documented outcome
        calls.sampleStream().limit(CALLS).forEach(call -> {
            long started = System.nanoTime();
            HttpResponse<String> response = send(call);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            String code = code(response.body());
            statuses.merge(response.statusCode() + " " + code, 1, Integer::sum);
            String what = call.describe() + " -> " + response.statusCode() + " " + response.body() + " in " + took;
            boolean documented = response.statusCode() >= 200
                    && response.statusCode() < 500
                    && (response.statusCode() < 400 || DOCUMENTED.contains(code));
            if (!documented || took.compareTo(Duration.ofSeconds(5)) >= 0) {
                wrong.add(what);
            }
        });
        System.out.println("Hostile input: " + CALLS + " calls, by status and code: " + statuses);
        assertThat(wrong)
                .as("calls answered 5xx, with an undocumented code, or late")
                .isEmpty();

        // then: nothing reached the worker that it could not apply
        assertThat(Database.queryLong(
                        database,
                        "select count(*) from command_ledger where tenant_id = '" + HOSTILE.tenantId()
                                + "' and rejection_code in ('internal_error', 'validation_error')"))
                .as("commands of the hostile tenant the worker had to isolate")
                .isZero();
        // another tenant's license answers 200 within a second
        var calm = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), CALM.apiKey(), CALM.sharedKey());
        long started = System.nanoTime();
        var answer = calm.post("add_consumption", ForeignCommands.demoConsumption());
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        // and every total is its ledger's (the spare license is reset by some calls, so its ledger does not add up)
        assertThat(Database.queryLong(
                        database,
                        "select count(*) from license c where c.id <> " + spareLicenseId
                                + " and c.total_consumptions <> (select coalesce(sum(l.total_after - l.total_before), 0)"
                                + " from command_ledger l where l.license_id = c.id and l.total_after is not null"
                                + " and l.command_type in ('ConsumeLicense', 'DeactivateLicense'))"))
                .as("licenses whose total is not their ledger's")
                .isZero();
        assertThat(Database.queryLong(
                        database,
                        "select count(*) from license_feature f join product_feature p on p.id = f.product_feature_id"
                                + " where f.license_id <> " + spareLicenseId
                                + " and f.total_consumptions <> (select coalesce(sum(l.total_after - l.total_before), 0)"
                                + " from command_ledger l where l.license_id = f.license_id and l.feature = p.code"
                                + " and l.total_after is not null and l.command_type = 'ConsumeFeature')"))
                .as("license features whose total is not their ledger's")
                .isZero();
    }

    @Test
    void shouldStopCheckingPasswordsOfAUserWhenItFailedTooOftenWithinAMinute() throws Exception {
        // given: a user-based product and one user
        send(new HostileCalls.Call(
                "POST",
                "/api/v1/products/",
                "{\"product_name\":\"Users\",\"short_code\":\"users-app\",\"authorization_method\":\"user\",\"default_license_type\":\"consumption\",\"max_consumptions\":10}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of(),
                false));
        var order = send(new HostileCalls.Call(
                "POST",
                "/api/v1/orders/create_order/",
                "{\"id\":\"users-order\",\"items\":[{\"product_code\":\"users-app\",\"licenses\":[{\"users\":[{\"email\":\"zoe@example.com\",\"password\":\"right\"}]}]}]}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of(),
                false));
        assertThat(order.statusCode()).as(order.body()).isEqualTo(201);
        var client = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), HOSTILE.apiKey(), HOSTILE.sharedKey());
        Map<String, Object> wrong = Map.of(
                "product", "users-app", "username", "zoe@example.com", "password", "wrong", "hardware_id", "zoe-pc");

        // when: as many wrong passwords as allowed in a minute (10 by default), then one more, then the right one
        List<Integer> statuses = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            statuses.add(client.post("activate_license", wrong).status());
        }
        var refused = client.post("activate_license", wrong);
        var right = client.post(
                "activate_license",
                Map.of(
                        "product",
                        "users-app",
                        "username",
                        "zoe@example.com",
                        "password",
                        "right",
                        "hardware_id",
                        "zoe-pc"));

        // then: the first ten were checked and refused, the rest answered at the gateway without reaching the worker
        assertThat(statuses).containsOnly(400);
        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(code(refused.body())).isEqualTo("too_many_attempts");
        assertThat(refused.headers().get("Retry-After"))
                .singleElement()
                .satisfies(seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 60));
        assertThat(right.status()).isEqualTo(429);
        assertThat(Database.queryLong(
                        database,
                        "select count(*) from command_ledger l join license c on c.id = l.license_id"
                                + " where c.username = 'zoe@example.com' and l.command_type = 'ActivateLicense'"))
                .as("activations the worker decided")
                .isEqualTo(10);
    }

    private static HttpResponse<String> send(HostileCalls.Call call) {
        try {
            var request = HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + call.path()))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json");
            if (call.licenseApi()) {
                String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        java.time.Instant.now().atOffset(ZoneOffset.UTC));
                request.header("Date", date)
                        .header(
                                "Authorization",
                                LicenseApiClient.authorization(HOSTILE.apiKey(), HOSTILE.sharedKey(), date));
            } else {
                request.header("Authorization", "Api-Key " + HOSTILE.managementKey());
            }
            call.headers().forEach(request::header);
            request.method(
                    call.method(),
                    call.body() == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(call.body()));
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("call failed: " + call.describe(), e);
        }
    }

    private static String code(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            return json.isObject() ? json.path("code").asString("") : "";
        } catch (RuntimeException e) {
            return "(not JSON)";
        }
    }

    private static Set<String> documentedCodes() {
        Set<String> codes = new HashSet<>(
                Arrays.stream(RejectionType.values()).map(RejectionType::code).collect(Collectors.toSet()));
        codes.addAll(List.of(
                "missing_headers",
                "authorization_invalid_headers",
                "authorization_missing_params",
                "hmac_required",
                "date_header_diff",
                "invalid_api_key",
                "revoked_api_key",
                "signature_mismatch",
                "missing_parameters",
                "validation_error",
                "invalid_json",
                "not_found",
                "method_not_allowed",
                "payload_too_large",
                "too_many_requests",
                "not_authenticated",
                "invalid_management_key"));
        codes.remove("internal_error");
        return codes;
    }
}
