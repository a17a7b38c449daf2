package io.tally.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document is valid OpenAPI 3.1 under swagger-parser's validator, and says what clients rely on:
 * an operation id for every operation, the headers every answer carries, and every status each kind of endpoint can
 * answer.
 */
class OpenApiContractTest {

    static OpenAPI document;

    @BeforeAll
    static void parse() throws IOException {
        String yaml;
        try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/static/openapi.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var options = new ParseOptions();
        options.setResolve(true);
        var result = new OpenAPIV3Parser().readContents(yaml, null, options);
        assertThat(result.getMessages()).as("validator messages").isEmpty();
        document = result.getOpenAPI();
        assertThat(document.getOpenapi()).startsWith("3.1");
    }

    @Test
    void shouldNameEveryOperationOnceWhenGeneratingClients() {
        Set<String> ids = new HashSet<>();
        forEachOperation((path, method, operation) -> {
            assertThat(operation.getOperationId()).as(method + " " + path).isNotBlank();
            assertThat(ids.add(operation.getOperationId()))
                    .as("operationId " + operation.getOperationId() + " unique")
                    .isTrue();
        });
    }

    @Test
    void shouldDeclareTheHeadersEveryAnswerCarries() {
        forEachOperation((path, method, operation) -> {
            if (path.startsWith("/status")) {
                return;
            }
            operation.getResponses().forEach((status, response) -> {
                Map<String, ?> headers = headers(response);
                assertThat(headers).as(method + " " + path + " " + status).containsKey("Tally-Request-Id");
                if (status.equals("200") && path.startsWith("/api/v4/") && !path.equals("/api/v4/public_key")) {
                    assertThat(headers).as(method + " " + path + " " + status).containsKey("LicenseSignature");
                }
                if (status.equals("429")) {
                    assertThat(headers).as(method + " " + path + " " + status).containsKey("Retry-After");
                }
                if (status.equals("202") && !path.startsWith("/api/v4/requests/")) {
                    assertThat(headers).as(method + " " + path + " " + status).containsKey("Location");
                }
            });
        });
    }

    @Test
    void shouldListEveryStatusAnEndpointCanAnswer() {
        forEachOperation((path, method, operation) -> {
            Set<String> statuses = operation.getResponses().keySet();
            String name = method + " " + path;
            if (path.startsWith("/status") || path.equals("/api/v4/public_key")) {
                return;
            }
            assertThat(statuses).as(name).contains("401", "429", "500", "503");
            if (method == PathItem.HttpMethod.POST) {
                assertThat(statuses).as(name).contains("422");
                if (operation.getRequestBody() != null) {
                    assertThat(statuses).as(name).contains("400", "413");
                }
            }
            if (path.startsWith("/api/v4/") && method == PathItem.HttpMethod.POST) {
                assertThat(statuses).as(name).contains("202");
            }
            if (path.startsWith("/api/v1/") && path.contains("{id}")) {
                assertThat(statuses).as(name).contains("400", "404");
            }
        });
    }

    @Test
    void shouldDescribeEachBatchOperationInFullWhenBatching() {
        var operation = document.getPaths().get("/api/v4/batch").getPost();
        Schema<?> operations = (Schema<?>) operation
                .getRequestBody()
                .getContent()
                .get("application/json")
                .getSchema()
                .getProperties()
                .get("operations");
        String item = operations.getItems().get$ref();
        assertThat(item).isEqualTo("#/components/schemas/BatchOperation");
        assertThat(document.getComponents().getSchemas().get("BatchOperation").getOneOf())
                .hasSize(2);
        assertThat(document.getComponents().getSchemas()).containsKeys("AddConsumption", "AddFeatureConsumption");
    }

    private static Map<String, ?> headers(ApiResponse response) {
        if (response.get$ref() != null) {
            String name = response.get$ref().substring(response.get$ref().lastIndexOf('/') + 1);
            response = document.getComponents().getResponses().get(name);
        }
        return response.getHeaders() == null ? Map.of() : response.getHeaders();
    }

    private interface OperationCheck {
        void check(String path, PathItem.HttpMethod method, Operation operation);
    }

    private static void forEachOperation(OperationCheck check) {
        document.getPaths()
                .forEach((path, item) ->
                        item.readOperationsMap().forEach((method, operation) -> check.check(path, method, operation)));
    }
}
