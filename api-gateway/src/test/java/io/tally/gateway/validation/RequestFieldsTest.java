package io.tally.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.gateway.api.ApiException;
import io.tally.gateway.api.ApiJson;
import io.tally.gateway.consumption.Requests;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

class RequestFieldsTest {

    private final JsonMapper mapper =
            new ApiJson(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).mapper();

    private final InputLimits limits = InputLimits.DEFAULTS;

    private RequestFields body(String json) {
        return RequestFields.ofBody(mapper, json == null ? null : json.getBytes(StandardCharsets.UTF_8), limits);
    }

    @Test
    void shouldReadTheIdentityAndIgnoreUnknownFields() {
        var fields = body("{\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"extra\":[1,{\"x\":2}]}")
                .require("hardware_id", "product", "license_key|username");

        var license = Requests.licenseRef(fields);

        assertThat(license.licenseKey()).isEqualTo("K");
        assertThat(license.username()).isNull();
        assertThat(fields.int32("consumptions")).isNull();
    }

    @Test
    void shouldParseQueryTextAsNumbersAndBooleans() {
        var fields = RequestFields.ofQuery(mapper, Map.of("license_id", "42", "flag", "true", "n", "-7"), limits);

        assertThat(fields.int64("license_id")).isEqualTo(42);
        assertThat(fields.bool("flag")).isTrue();
        assertThat(fields.int32("n")).isEqualTo(-7);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            value = {
                "invalid_json       | NULL | NULL",
                "invalid_json       | NULL | {\"hardware_id\":",
                "invalid_json       | NULL | [1,2]",
                "invalid_json       | NULL | \"just a string\"",
                "missing_parameters | hardware_id, product, license_key or username | {}",
                "missing_parameters | license_key or username | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":null}",
                "validation_error   | consumptions: must be an integer | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"consumptions\":\"5\"}",
                "validation_error   | consumptions: must be an integer | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"consumptions\":1.5}",
                "validation_error   | consumptions: must be an integer from | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"consumptions\":2147483648}",
                "validation_error   | consumptions: must be an integer from | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"consumptions\":-2147483649}",
                "validation_error   | license_id: must be an integer from | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"license_id\":99999999999999999999999}",
                "validation_error   | hardware_id: must be a string | {\"hardware_id\":5,\"product\":\"p\",\"license_key\":\"K\"}",
                "validation_error   | product: must not be empty | {\"hardware_id\":\"hw\",\"product\":\" \",\"license_key\":\"K\"}",
                "validation_error   | hardware_id: must not contain control characters | {\"hardware_id\":\"a\\u0000b\",\"product\":\"p\",\"license_key\":\"K\"}",
                "validation_error   | hardware_id: must be well-formed Unicode | {\"hardware_id\":\"a\\ud800b\",\"product\":\"p\",\"license_key\":\"K\"}",
                "validation_error   | license_key: must not contain bidirectional | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\\u202eY\"}",
                "validation_error   | hardware_id: must not contain control characters | {\"hardware_id\":\"a\\u0085b\",\"product\":\"p\",\"license_key\":\"K\"}",
                "validation_error   | consumptions: must be an integer from | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"consumptions\":1000000001}",
                "validation_error   | license_id: must be an integer from 1 | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"license_id\":0}",
                "invalid_json       | NULL | {\"hardware_id\":\"hw\",\"hardware_id\":\"other\",\"product\":\"p\",\"license_key\":\"K\"}",
                "invalid_json       | NULL | {\"hardware_id\":\"hw\",\"product\":\"p\",\"license_key\":\"K\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
            })
    void shouldRefuseWithTheDocumentedCode(String code, String message, String json) {
        assertThatThrownBy(() -> parseAll(json)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.error().code()).isEqualTo(code);
            assertThat(e.error().status()).isEqualTo(400);
            if (message != null) {
                assertThat(e.error().message()).contains(message);
            }
        });
    }

    @Test
    void shouldAcceptNonAsciiIdentifiers() {
        var fields = body("{\"hardware_id\":\"Gerät-🚀\",\"product\":\"p\",\"username\":\"zoë@example.com\"}")
                .require("hardware_id", "product", "license_key|username");

        assertThat(fields.text("hardware_id")).isEqualTo("Gerät-🚀");
        assertThat(Requests.licenseRef(fields).username()).isEqualTo("zoë@example.com");
    }

    /** Fuzz: random and JSON-shaped bodies either parse or are refused with a documented code, never anything else. */
    @Property(tries = 2000)
    void shouldEitherParseOrRefuseWithADocumentedCode(@ForAll("bodies") String json) {
        try {
            parseAll(json);
        } catch (ApiException e) {
            assertThat(e.error().code()).isIn("invalid_json", "missing_parameters", "validation_error");
            assertThat(e.error().status()).isEqualTo(400);
        }
    }

    private void parseAll(String json) {
        var fields = body(json).require("hardware_id", "product", "license_key|username");
        fields.text("hardware_id");
        Requests.licenseRef(fields);
        fields.consumptions("consumptions");
        fields.bool("allow_overages");
        fields.int64("license_id");
        fields.details(mapper, java.util.List.of("hostname", "os_ver", "is_vm", "variables"));
        fields.instant("validity_period");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "hostname: must not contain control characters | {\"hostname\":\"a\\u0000b\"}",
                "os_ver: must be at most 255 characters | {\"os_ver\":\"LONG\"}",
                "hostname: must be a string, number or boolean | {\"hostname\":{\"a\":1}}",
                "variables.k: must not contain control characters | {\"variables\":{\"k\":\"\\u0000\"}}",
                "variables key: must not contain control characters | {\"variables\":{\"\\u0000\":1}}",
                "is nested deeper than 8 levels | {\"variables\":[[[[[[[[[1]]]]]]]]]}",
                "must be a number within | {\"variables\":{\"n\":1e400}}",
                "must be a number within | {\"variables\":{\"n\":123456789012345678901234567890}}",
                "holds more than 100 values | {\"variables\":[LIST]}",
            })
    void shouldRefuseDeviceDetailsThatCannotBeStored(String message, String json) {
        // given
        String body = json.replace("LONG", "x".repeat(256))
                .replace("LIST", String.join(",", java.util.Collections.nCopies(101, "1")));

        // when / then
        assertThatThrownBy(() -> body(body).details(mapper, java.util.List.of("hostname", "os_ver", "variables")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.error().code()).isEqualTo("validation_error");
                    assertThat(e.error().message()).contains(message);
                });
    }

    @Test
    void shouldKeepDeviceDetailsAsGivenWhenWithinTheLimits() {
        // given
        var fields = body("{\"hostname\":\"\",\"is_vm\":false,\"variables\":{\"k\":[1,2.5,\"zoë\",null]}}");

        // when
        var details = fields.details(mapper, java.util.List.of("hostname", "is_vm", "variables", "os_ver"));

        // then
        assertThat(details)
                .containsEntry("hostname", "")
                .containsEntry("is_vm", false)
                .containsEntry("variables", Map.of("k", java.util.Arrays.asList(1L, 2.5, "zoë", null)))
                .doesNotContainKey("os_ver");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "+300000-01-01T00:00:00Z",
        "0001-01-01",
        "1969-12-31T23:59:59Z",
        "10000-01-01",
        "2026-13-01",
        "yesterday"
    })
    void shouldRefuseDatesOutsideTheDocumentedRange(String date) {
        assertThatThrownBy(() -> RequestFields.instant("from", date, limits))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.error().code()).isEqualTo("validation_error"));
    }

    @Test
    void shouldAcceptDatesWithinTheRange() {
        assertThat(RequestFields.instant("to", "2026-11-28", limits)).hasToString("2026-11-28T00:00:00Z");
        assertThat(RequestFields.instant("to", "9999-12-31T23:59:59Z", limits)).hasToString("9999-12-31T23:59:59Z");
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(300).map(mapper::writeValueAsString),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.bigIntegers()
                        .between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
                        .map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.of(
                        "true",
                        "false",
                        "null",
                        "[]",
                        "{}",
                        "\"\\ud800\"",
                        "\"\\u202e\"",
                        "\"\\u0000\"",
                        "{\"a\":{\"b\":[\"\\u0000\"]}}",
                        "\"+300000-01-01T00:00:00Z\"",
                        "\"2026-11-28\""));
        Arbitrary<String> keys = Arbitraries.of(
                "hardware_id",
                "product",
                "license_key",
                "username",
                "license_id",
                "consumptions",
                "allow_overages",
                "hostname",
                "is_vm",
                "variables",
                "validity_period",
                "x");
        Arbitrary<String> objects = Combinators.combine(
                        keys.list().ofMaxSize(8), values.list().ofSize(8))
                .as((names, vals) -> {
                    StringBuilder json = new StringBuilder("{");
                    for (int i = 0; i < names.size(); i++) {
                        json.append(i == 0 ? "" : ",")
                                .append('"')
                                .append(names.get(i))
                                .append("\":")
                                .append(vals.get(i));
                    }
                    return json.append('}').toString();
                });
        return Arbitraries.oneOf(
                objects, objects.map(json -> json.substring(0, json.length() / 2)), Arbitraries.strings());
    }
}
