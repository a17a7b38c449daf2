package io.tally.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Expected strings are what {@code JSON.stringify} prints for the same values (Node 20). */
class CanonicalJsonTest {

    private final JsonMapper mapper = JsonMapper.builder().build();

    private String canonical(String json) {
        return new String(CanonicalJson.write(mapper.readTree(json)), StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteCompactlyInTheGivenKeyOrder() {
        assertThat(canonical("{ \"b\" : 1 , \"a\" : [ true, null, -7 ] }")).isEqualTo("{\"b\":1,\"a\":[true,null,-7]}");
    }

    @Test
    void shouldKeepNonAsciiRawAndEscapeLikeJavaScript() {
        assertThat(canonical("{\"n\":\"Zoë 🚀 \\u20ac\"}")).isEqualTo("{\"n\":\"Zoë 🚀 €\"}");
        assertThat(canonical("{\"n\":\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\"}"))
                .isEqualTo("{\"n\":\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\"}");
        assertThat(canonical("{\"n\":\"/\\u2028\"}")).isEqualTo("{\"n\":\"/\u2028\"}");
    }

    @Test
    void shouldWriteWholeNumbersWithoutDecimalPoint() {
        assertThat(canonical("[1.0, 2.5, 12345678901234]")).isEqualTo("[1,2.5,12345678901234]");
    }
}
