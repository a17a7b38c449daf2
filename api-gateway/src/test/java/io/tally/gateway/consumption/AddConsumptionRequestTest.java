package io.tally.gateway.consumption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.gateway.api.ApiException;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

class AddConsumptionRequestTest {

    private final JsonMapper mapper = JsonMapper.builder().build();

    private AddConsumptionRequest parse(String body) {
        return AddConsumptionRequest.parse(mapper, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldDefaultConsumptionsToOneAndIgnoreUnknownFields() {
        var request = parse("{\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"extra\":[1,2]}");

        assertThat(request.consumptions()).isEqualTo(1);
        assertThat(request.license().licenseKey()).isEqualTo("K");
        assertThat(request.allowOverages()).isNull();
    }

    @Test
    void shouldAcceptUserBasedIdentityAndOverageFields() {
        var request = parse("{\"hardware_id\":\"hw\",\"product\":\"p\",\"username\":\"u@x.io\",\"consumptions\":-3,"
                + "\"allow_overages\":true,\"max_overages\":4,\"event\":[\"consumption_add\"]}");

        assertThat(request.license().username()).isEqualTo("u@x.io");
        assertThat(request.consumptions()).isEqualTo(-3);
        assertThat(request.allowOverages()).isTrue();
        assertThat(request.maxOverages()).isEqualTo(4);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            value = {
                "invalid_json       | NULL                   | NULL",
                "invalid_json       | NULL                   | {\"hardware_id\":",
                "invalid_json       | NULL                   | [1,2]",
                "missing_parameters | hardware_id, product, license_key or username | {}",
                "missing_parameters | license_key or username | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":null}",
                "validation_error   | consumptions: must be an integer | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"consumptions\":\"5\"}",
                "validation_error   | consumptions: must be an integer | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"consumptions\":1.5}",
                "validation_error   | consumptions: must be between | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"consumptions\":2147483648}",
                "validation_error   | consumptions: must be between | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"consumptions\":99999999999999999999999}",
                "validation_error   | hardware_id: must be a string | {\"hardware_id\":5,\"product\":\"p\",\"license_key\":\"K\"}",
                "validation_error   | product: must not be empty | {\"hardware_id\":\"hw\",\"product\":\" \",\"license_key\":\"K\"}",
                "validation_error   | allow_overages: must be a boolean | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"allow_overages\":\"yes\"}",
                "validation_error   | max_overages: must not be negative | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"max_overages\":-1}",
                "validation_error   | event: | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"event\":[\"other\"]}",
                "validation_error   | hardware_id: must not contain control characters | {\"hardware_id\":\"a\\u0000b\",\"product\":\"p\",\"license_key\":\"K\"}",
            })
    void shouldRefuseWithTheDocumentedCode(String code, String message, String body) {
        assertThatThrownBy(() -> parse(body)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.error().code()).isEqualTo(code);
            assertThat(e.error().status()).isEqualTo(400);
            if (message != null) {
                assertThat(e.error().message()).contains(message);
            }
        });
    }

    @Property(tries = 300)
    void shouldEitherParseOrRefuseWithAnApiErrorForAnyBytes(@ForAll byte[] body) {
        try {
            AddConsumptionRequest.parse(mapper, body);
        } catch (ApiException e) {
            assertThat(e.error().code()).isIn("invalid_json", "missing_parameters", "validation_error");
        }
    }
}
