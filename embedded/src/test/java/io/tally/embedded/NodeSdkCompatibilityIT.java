package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tally.client.DemoSeeder;
import io.tally.protocol.TenantCredentials;
import io.tally.testsupport.TestInfrastructure;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * LicenseSpring's own Node SDK ({@code @licensespring/node-sdk} from npm) against a running Tally: it signs requests
 * its way and rejects any answer whose {@code LicenseSignature} or {@code license_signature} does not verify, so this
 * is the strictest check that existing customers' apps work by changing only the base URL. Needs {@code node} and
 * {@code npm} on the PATH and the npm registry; the SDK is installed once into {@code target/}.
 */
class NodeSdkCompatibilityIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ENVELOPE_KEY = "node-sdk-envelope-key-0123456789";

    @TempDir
    Path secrets;

    @Test
    void shouldSatisfyLicenseSpringsNodeSdk() throws Exception {
        assumeTrue(available("node") && available("npm"), "node and npm are needed to run LicenseSpring's Node SDK");
        Path sdk = installSdk();

        // given: a vendor's own tenant created with the operators' tool, and the demo product, feature, license and
        // device set up through the APIs with its keys
        var infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        String jdbcUrl = infra.newDatabase("node_sdk_it");
        try (var pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(), jdbcUrl, db.username(), db.password(), ENVELOPE_KEY, 0, 0, 3))) {
            var created = OpsTool.connectedTo(infra, jdbcUrl, ENVELOPE_KEY, secrets)
                    .run("tenants", "create", "--name", "SDK Company, Inc.", "--json");
            assertThat(created.exitCode()).as(created.err()).isZero();
            JsonNode keys = JSON.readTree(created.out());
            var tenant = new TenantCredentials(
                    keys.get("tenant_id").asString(),
                    keys.get("api_key").asString(),
                    keys.get("shared_key").asString(),
                    keys.get("management_key").asString());
            assertThat(tenant.tenantId()).startsWith("sdk-company-inc-");
            pipeline.startGateway();
            pipeline.awaitGatewayReady(Duration.ofMinutes(1));
            var seeded = new DemoSeeder(
                            URI.create(pipeline.gatewayUrl()),
                            tenant.apiKey(),
                            tenant.sharedKey(),
                            tenant.managementKey())
                    .seed();
            Path publicKey = Files.writeString(sdk.resolve("public.pem"), seeded.publicKey());

            // when
            List<String> lines = run(
                    sdk,
                    "node",
                    "sdk-compatibility.js",
                    pipeline.gatewayUrl(),
                    tenant.apiKey(),
                    tenant.sharedKey(),
                    publicKey.toString(),
                    DemoSeeder.PRODUCT,
                    DemoSeeder.LICENSE_KEY,
                    "sdk-device",
                    DemoSeeder.FEATURE);

            // then
            assertThat(lines).as(String.join("\n", lines)).hasSize(7);
            List<JsonNode> steps = lines.stream().map(JSON::readTree).toList();
            assertThat(steps)
                    .allSatisfy(step -> assertThat(step.get("ok").asBoolean())
                            .as(step.toString())
                            .isTrue());
            assertThat(steps.get(2).get("result").get("total_consumptions").asLong())
                    .isEqualTo(3);
            assertThat(steps.get(3).get("result").get("total_consumptions").asLong())
                    .isEqualTo(2);
            assertThat(steps.get(5).get("error").get("code").asString()).isEqualTo("license_not_enough_consumptions");
            // The SDK answers true only when the body is the JSON string "license_deactivated".
            assertThat(steps.get(6).get("result").asBoolean()).isTrue();
        }
    }

    @Test
    void shouldDriveEveryFloatingCallWithLicenseSpringsNodeSdk() throws Exception {
        assumeTrue(available("node") && available("npm"), "node and npm are needed to run LicenseSpring's Node SDK");
        Path sdk = installSdk();

        // given: a floating-cloud license of one seat, borrowable, with a floating feature of one seat
        var infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        String jdbcUrl = infra.newDatabase("node_sdk_floating_it");
        var tenant = new TenantCredentials(
                "sdk-floating", "sdk-floating-api", "sdk-floating-shared-0123456789", "sdk-floating-mgmt");
        try (var pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(), jdbcUrl, db.username(), db.password(), ENVELOPE_KEY, 0, 0, 3))) {
            pipeline.tenants().register("SDK floating company", tenant);
            pipeline.startGateway();
            pipeline.awaitGatewayReady(Duration.ofMinutes(1));
            var manage = new ManagementCalls(URI.create(pipeline.gatewayUrl()), tenant.managementKey());
            long product = manage.created(
                    "/api/v1/products/",
                    java.util.Map.of(
                            "product_name",
                            "Seats",
                            "short_code",
                            "seat-app",
                            "default_license_type",
                            "perpetual",
                            "max_activations",
                            5,
                            "is_floating_cloud",
                            true,
                            "floating_users",
                            1,
                            "floating_timeout",
                            30,
                            "can_borrow",
                            true,
                            "max_borrow_time",
                            24));
            manage.created(
                    "/api/v1/product-features/",
                    java.util.Map.of(
                            "product",
                            product,
                            "code",
                            "render",
                            "name",
                            "Render",
                            "feature_type",
                            "activation",
                            "is_floating_cloud",
                            true,
                            "floating_users",
                            1));
            manage.created(
                    "/api/v1/orders/create_order/",
                    java.util.Map.of(
                            "id",
                            "sdk-floating-order",
                            "items",
                            List.of(java.util.Map.of(
                                    "product_code",
                                    "seat-app",
                                    "licenses",
                                    List.of(java.util.Map.of("key", "SEAT-0001"))))));
            String publicKey = new io.tally.client.LicenseApiClient(
                            URI.create(pipeline.gatewayUrl()), tenant.apiKey(), tenant.sharedKey())
                    .get("public_key", java.util.Map.of("apikey", tenant.apiKey()))
                    .body();
            Path publicKeyFile = Files.writeString(sdk.resolve("floating-public.pem"), publicKey);

            // when
            List<String> lines = run(
                    sdk,
                    "node",
                    "sdk-floating.js",
                    pipeline.gatewayUrl(),
                    tenant.apiKey(),
                    tenant.sharedKey(),
                    publicKeyFile.toString(),
                    "seat-app",
                    "SEAT-0001",
                    "sdk-seat-1",
                    "sdk-seat-2",
                    "render");

            // then: every step as expected, every answer the SDK read verified
            assertThat(lines).as(String.join("\n", lines)).hasSize(11);
            List<JsonNode> steps = lines.stream().map(JSON::readTree).toList();
            assertThat(steps)
                    .allSatisfy(step -> assertThat(step.get("ok").asBoolean())
                            .as(step.toString())
                            .isTrue());
            JsonNode checked = steps.get(2).get("result");
            assertThat(checked.get("is_floating_cloud").asBoolean()).isTrue();
            assertThat(checked.get("floating_users").asInt()).isEqualTo(1);
            assertThat(checked.get("floating_in_use_devices").asInt()).isEqualTo(1);
            assertThat(steps.get(3).get("error").get("code").asString()).isEqualTo("floating_not_available");
            assertThat(steps.get(4).get("result").get("max_borrow_time").asInt())
                    .isEqualTo(24);
            assertThat(steps.get(5).get("result").asBoolean()).isTrue();
            assertThat(steps.get(7).get("result").get("floating_in_use_devices").asInt())
                    .isEqualTo(1);
            assertThat(steps.get(8).get("error").get("code").asString()).isEqualTo("floating_not_available");
            assertThat(steps.get(10).get("result").get("borrowed_until").asString())
                    .isNotBlank();
        }
    }

    /** Management API calls that must create something (201), returning the new object's id. */
    private record ManagementCalls(URI gateway, String managementKey) {
        long created(String path, java.util.Map<String, ?> body) throws Exception {
            var response = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(gateway.resolve(path))
                                    .header("Authorization", "Api-Key " + managementKey)
                                    .header("Content-Type", "application/json")
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                            JSON.writeValueAsString(body)))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(201);
            JsonNode created = JSON.readTree(response.body());
            return created.has("id") && created.get("id").isNumber()
                    ? created.get("id").asLong()
                    : 0;
        }
    }

    private static Path installSdk() throws IOException, InterruptedException {
        Path directory = Path.of("target", "node-sdk").toAbsolutePath();
        Files.createDirectories(directory);
        for (String file : List.of("package.json", "sdk-compatibility.js", "sdk-floating.js")) {
            Files.copy(
                    Path.of("src", "test", "node", file),
                    directory.resolve(file),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.exists(directory.resolve("node_modules/@licensespring/node-sdk"))) {
            // --ignore-scripts: the SDK's native hardware-id helper is not needed when hardware_id is passed.
            run(directory, "npm", "install", "--ignore-scripts", "--no-audit", "--no-fund");
        }
        return directory;
    }

    private static List<String> run(Path directory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<String> lines = new ArrayList<>(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .toList());
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        if (command[0].equals("npm")) {
            assertThat(process.exitValue()).as("npm install").isZero();
        }
        return lines;
    }

    private static boolean available(String program) {
        try {
            return new ProcessBuilder(program, "--version").start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
