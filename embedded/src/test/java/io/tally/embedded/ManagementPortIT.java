package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.LicenseApiClient;
import io.tally.infra.FreePorts;
import io.tally.protocol.TenantCredentials;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code management.server.port} set, as docker compose and the Kubernetes manifests set it, the API port serves
 * the APIs only: health, metrics and the status page (which need no key and show license keys) answer on the
 * management port, which is not published, and 404 on the API port.
 */
class ManagementPortIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final TenantCredentials TENANT =
            new TenantCredentials("mgmt-port-tenant", "mgmt-port-api", "mgmt-port-shared-0123456789", "mgmt-port-m");

    static TallyPipeline pipeline;

    @BeforeAll
    static void start() {
        var infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(),
                infra.newDatabase("management_port_it"),
                db.username(),
                db.password(),
                "mgmt-port-envelope-key-0123456789",
                0,
                0,
                3));
        pipeline.tenants().register("Management port company", TENANT);
        pipeline.startGateway(Map.of("management.server.port", FreePorts.next()));
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldServeHealthMetricsAndTheStatusPageOnlyOnTheManagementPortWhenOneIsSet() throws Exception {
        String api = pipeline.gatewayUrl();
        String management = pipeline.gatewayManagementUrl();
        assertThat(management).isNotEqualTo(api);

        for (String path : new String[] {"/status", "/status/live", "/actuator/health", "/actuator/prometheus"}) {
            assertThat(status(api + path)).as("API port " + path).isEqualTo(404);
            assertThat(status(management + path)).as("management port " + path).isEqualTo(200);
        }
        HttpResponse<String> live = get(management + "/status/live");
        assertThat(live.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(live.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(live.body()).contains("\"waiting\"", "\"admission_limit\"");
        assertThat(get(management + "/status").body()).contains("<html");

        // and the License API still answers on the API port
        var client = new LicenseApiClient(URI.create(api), TENANT.apiKey(), TENANT.sharedKey());
        var response =
                client.get("check_license", Map.of("product", "no-such-app", "license_key", "X", "hardware_id", "h"));
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).doesNotContain("invalid_api_key", "signature_mismatch");
    }

    private static int status(String url) throws Exception {
        return get(url).statusCode();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
