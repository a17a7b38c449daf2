package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.LicenseApiClient;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Polls {@code GET /api/v4/requests/{id}} the way a client that got 202 or 503 request_pending would. */
final class RequestOutcomes {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RequestOutcomes() {}

    /** The final outcome of the request, once the worker has decided it; fails after 30 s of 202 answers. */
    static JsonNode await(LicenseApiClient client, String requestId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var response = client.get("requests/" + requestId, Map.of());
            if (response.status() == 200) {
                return JSON.readTree(response.body());
            }
            assertThat(response.status()).as(response.body()).isEqualTo(202);
            Thread.sleep(100);
        }
        throw new AssertionError("no outcome for " + requestId);
    }
}
