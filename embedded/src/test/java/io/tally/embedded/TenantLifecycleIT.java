package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.LicenseApiClient;
import io.tally.embedded.OpsTool.Run;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A vendor's tenant through its lifecycle with {@code tally-ops tenants}, against a running pipeline: created with its
 * own keys (printed once, never listed), its management key rotated (the old one refused at once by the gateway, the
 * new one accepted), then disabled (its License API calls answered {@code revoked_api_key}, its management key
 * refused, no further API key given to it).
 */
class TenantLifecycleIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ENVELOPE_KEY = "tenants-envelope-key-0123456789ab";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final java.util.Set<String> AUTHENTICATION_ERRORS =
            java.util.Set.of("", "invalid_api_key", "revoked_api_key", "signature_mismatch");

    @TempDir
    static Path secrets;

    static TallyPipeline pipeline;
    static OpsTool ops;

    @BeforeAll
    static void start() throws Exception {
        var infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        String jdbcUrl = infra.newDatabase("tenant_lifecycle_it");
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(), jdbcUrl, db.username(), db.password(), ENVELOPE_KEY, 0, 0, 3));
        pipeline.startGateway();
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
        ops = OpsTool.connectedTo(infra, jdbcUrl, ENVELOPE_KEY, secrets);
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldCreateRotateAndDisableATenantWhileTheGatewayFollows() throws Exception {
        // given: a tenant created with the tool
        Run created = ops.run("tenants", "create", "--name", "Lifecycle Ltd", "--id", "lifecycle-ltd", "--json");
        assertThat(created.exitCode()).as(created.err()).isZero();
        JsonNode keys = JSON.readTree(created.out());
        String firstManagementKey = keys.get("management_key").asString();
        var licenseApi = new LicenseApiClient(
                URI.create(pipeline.gatewayUrl()),
                keys.get("api_key").asString(),
                keys.get("shared_key").asString());
        assertThat(awaitManagementStatus(firstManagementKey, status -> status == 201))
                .isEqualTo(201);
        assertThat(awaitLicenseApiCode(licenseApi, code -> !AUTHENTICATION_ERRORS.contains(code)))
                .as("the gateway knows the new API key")
                .isNotIn(AUTHENTICATION_ERRORS);

        // when: its management key is rotated
        Run rotated = ops.run("tenants", "rotate-management-key", "--tenant", "lifecycle-ltd");
        assertThat(rotated.exitCode()).as(rotated.err()).isZero();
        String secondManagementKey = rotated.out()
                .lines()
                .filter(line -> line.startsWith("management_key="))
                .findFirst()
                .orElseThrow()
                .substring("management_key=".length());

        // then: the gateway refuses the old key and accepts the new one
        assertThat(awaitManagementStatus(firstManagementKey, status -> status == 401))
                .isEqualTo(401);
        assertThat(awaitManagementStatus(secondManagementKey, status -> status == 201))
                .isEqualTo(201);

        // when: the tenant is disabled
        Run disabled = ops.run("tenants", "disable", "--tenant", "lifecycle-ltd");
        assertThat(disabled.exitCode()).as(disabled.err()).isZero();
        assertThat(disabled.out()).contains("status=disabled", "api_keys_revoked=1");

        // then: neither API authenticates it any more, and it gets no further API key
        assertThat(awaitLicenseApiCode(licenseApi, code -> code.equals("revoked_api_key")))
                .isEqualTo("revoked_api_key");
        assertThat(awaitManagementStatus(secondManagementKey, status -> status == 401))
                .isEqualTo(401);
        Run added = ops.run("api-keys", "add", "--tenant", "lifecycle-ltd");
        assertThat(added.exitCode()).isEqualTo(2);
        assertThat(added.err()).contains("Tenant lifecycle-ltd is disabled");
        Run rotatedAgain = ops.run("tenants", "rotate-management-key", "--tenant", "lifecycle-ltd");
        assertThat(rotatedAgain.exitCode()).isEqualTo(2);

        // and the list says so, without a secret
        Run listed = ops.run("tenants", "list", "--json");
        assertThat(listed.exitCode()).as(listed.err()).isZero();
        JsonNode tenant = null;
        for (JsonNode each : JSON.readTree(listed.out())) {
            if (each.get("tenant_id").asString().equals("lifecycle-ltd")) {
                tenant = each;
            }
        }
        assertThat(tenant).isNotNull();
        assertThat(tenant.get("status").asString()).isEqualTo("disabled");
        assertThat(tenant.get("valid_api_keys").asLong()).isZero();
        assertThat(listed.out())
                .doesNotContain(keys.get("shared_key").asString(), firstManagementKey, secondManagementKey);
    }

    @Test
    void shouldRefuseATenantIdThatExists() {
        Run first = ops.run("tenants", "create", "--name", "Twice", "--id", "twice");
        Run second = ops.run("tenants", "create", "--name", "Twice again", "--id", "twice");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("tenant_id=twice", "api_key=", "shared_key=", "management_key=");
        assertThat(second.exitCode()).isEqualTo(2);
        assertThat(second.err()).contains("Tenant twice exists");
        assertThat(second.out()).isEmpty();
    }

    /** The status of a product creation with {@code managementKey}, once {@code expected} holds (10 s at most). */
    private static int awaitManagementStatus(String managementKey, IntPredicate expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int status;
        do {
            byte[] body = JSON.writeValueAsBytes(Map.of(
                    "product_name", "Product",
                    "short_code", "p-" + UUID.randomUUID().toString().substring(0, 8),
                    "authorization_method", "license-key",
                    "default_license_type", "consumption",
                    "max_consumptions", 10));
            status = HTTP.send(
                            HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + "/api/v1/products/"))
                                    .header("Authorization", "Api-Key " + managementKey)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            if (!expected.test(status)) {
                Thread.sleep(200);
            }
        } while (!expected.test(status) && System.nanoTime() < deadline);
        return status;
    }

    /** The error code of a check_license call, once {@code expected} holds (10 s at most). */
    private static String awaitLicenseApiCode(LicenseApiClient client, Predicate<String> expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String code;
        do {
            var response = client.get(
                    "check_license",
                    Map.of("product", "no-such-product", "license_key", "NO-KEY", "hardware_id", "device"));
            code = JSON.readTree(response.body()).path("code").asString("");
            if (!expected.test(code)) {
                Thread.sleep(200);
            }
        } while (!expected.test(code) && System.nanoTime() < deadline);
        return code;
    }
}
