package io.tally.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sets up the demo data of a tenant through the public APIs, the way an operator would: a consumption product with a
 * consumption feature (Management API), an order with one license, and an activated device (License API).
 * Idempotent: what exists already (409) is left as it is.
 */
public final class DemoSeeder {

    public static final String PRODUCT = "demo-app";
    public static final String FEATURE = "export";
    public static final String LICENSE_KEY = "DEMO-0000-0000-0001";
    public static final String HARDWARE_ID = "demo-device-1";
    public static final long MAX_CONSUMPTIONS = 20;
    public static final long FEATURE_MAX_CONSUMPTION = 10;

    private static final String ORDER_ID = "demo-order-1";

    private final URI gateway;
    private final String managementKey;
    private final LicenseApiClient licenseApi;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();

    /** What was seeded. */
    public record Seeded(long licenseId, String publicKey) {}

    /** Adds what {@code seeded} set up to the demo file (keeping the keys it holds), readable by its owner only. */
    public static void complete(java.nio.file.Path demoFile, Seeded seeded) throws IOException {
        JsonMapper mapper = JsonMapper.builder().build();
        var values = (tools.jackson.databind.node.ObjectNode) mapper.readTree(demoFile.toFile());
        values.put("product", PRODUCT);
        values.put("license_key", LICENSE_KEY);
        values.put("license_id", seeded.licenseId());
        values.put("hardware_id", HARDWARE_ID);
        values.put("feature", FEATURE);
        values.put("max_consumptions", MAX_CONSUMPTIONS);
        values.put("public_key", seeded.publicKey());
        java.nio.file.Files.write(
                demoFile, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(values));
        java.nio.file.Files.setPosixFilePermissions(
                demoFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    public DemoSeeder(URI gateway, String apiKey, String sharedKey, String managementKey) {
        this.gateway = gateway;
        this.managementKey = managementKey;
        this.licenseApi = new LicenseApiClient(gateway, apiKey, sharedKey);
    }

    public Seeded seed() throws IOException, InterruptedException {
        HttpResponse<String> product = manage(
                "/api/v1/products/",
                Map.of(
                        "product_name",
                        "Demo App",
                        "short_code",
                        PRODUCT,
                        "authorization_method",
                        "license-key",
                        "default_license_type",
                        "consumption",
                        "max_consumptions",
                        MAX_CONSUMPTIONS,
                        "max_activations",
                        3));
        if (product.statusCode() == 201) {
            long productId = json.readTree(product.body()).get("id").asLong();
            expect(
                    manage(
                            "/api/v1/product-features/",
                            Map.of(
                                    "product", productId,
                                    "code", FEATURE,
                                    "name", "Export",
                                    "feature_type", "consumption",
                                    "max_consumption", FEATURE_MAX_CONSUMPTION)),
                    201);
        } else {
            expect(product, 409);
        }
        HttpResponse<String> order = manage(
                "/api/v1/orders/create_order/",
                Map.of(
                        "id", ORDER_ID,
                        "customer", Map.of("email", "demo@example.com"),
                        "items",
                                List.of(Map.of(
                                        "product_code",
                                        PRODUCT,
                                        "licenses",
                                        List.of(Map.of("key", LICENSE_KEY, "license_type", "consumption"))))));
        if (order.statusCode() != 201) {
            expect(order, 409);
        }
        LicenseApiClient.Response activation = licenseApi.post(
                "activate_license",
                Map.of(
                        "product", PRODUCT,
                        "license_key", LICENSE_KEY,
                        "hardware_id", HARDWARE_ID,
                        "hostname", "demo-host"));
        if (activation.status() != 200) {
            throw new IOException("activation failed: HTTP " + activation.status() + " " + activation.body());
        }
        long licenseId = json.readTree(activation.body()).get("id").asLong();
        return new Seeded(licenseId, publicKey());
    }

    private String publicKey() throws IOException, InterruptedException {
        HttpResponse<String> key = http.send(
                HttpRequest.newBuilder(gateway.resolve("/api/v4/public_key?apikey=" + licenseApiKey()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        expect(key, 200);
        return key.body();
    }

    private String licenseApiKey() {
        return java.net.URLEncoder.encode(licenseApi.apiKey(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private HttpResponse<String> manage(String path, Object body) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(gateway.resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Api-Key " + managementKey)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> response, int status) throws IOException {
        if (response.statusCode() != status) {
            JsonNode body;
            try {
                body = JsonMapper.builder().build().readTree(response.body());
            } catch (RuntimeException e) {
                body = null;
            }
            throw new IOException(response.request().uri().getPath() + " answered HTTP " + response.statusCode() + " "
                    + (body == null ? response.body() : body.toString()));
        }
    }
}
