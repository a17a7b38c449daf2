package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The contract check flags an answer the document does not describe, and only such an answer. */
class ApiContractTest {

    private static final Map<String, List<String>> HEADERS = Map.of(
            "Content-Type", List.of("application/json"),
            "Tally-Request-Id", List.of("7f0c7f5e-2a55-4a8a-9d1b-6f0a3c1e2b40"),
            "LicenseSignature", List.of("c2ln"));

    @AfterEach
    void forget() {
        ApiContract.takeViolations();
    }

    @Test
    void shouldAcceptAnAnswerTheDocumentDescribes() {
        ApiContract.check("POST", "/api/v4/add_consumption", 200, HEADERS, json("{\"id\":1,\"total_consumptions\":5}"));
        ApiContract.check(
                "POST",
                "/api/v4/add_consumption",
                400,
                HEADERS,
                json("{\"status\":400,\"code\":\"license_not_found\",\"message\":\"No\"}"));

        assertThat(ApiContract.takeViolations()).isEmpty();
    }

    @Test
    void shouldFlagAnAnswerOfTheWrongShapeOrStatus() {
        ApiContract.check(
                "POST", "/api/v4/add_consumption", 200, HEADERS, json("{\"id\":1,\"total_consumptions\":\"five\"}"));
        ApiContract.check("POST", "/api/v4/add_consumption", 418, HEADERS, json("{}"));
        ApiContract.check("POST", "/api/v4/add_consumption", 400, HEADERS, json("{\"status\":400}"));

        ApiContract.check("GET", "/api/v1/licenses/7/", 200, HEADERS, json("{\"license_key\":42}"));

        assertThat(ApiContract.takeViolations())
                .extracting(ApiContract.Violation::status)
                .containsExactly(200, 418, 400, 200);
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
