package io.tally.gateway.api;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes License API bodies: snake_case, compact, fields in the order their records declare. One mapper for every
 * endpoint, so every body has the same form. Thread-safe.
 */
@Component
public class ApiJson {

    private final JsonMapper mapper = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    public JsonMapper mapper() {
        return mapper;
    }

    public ResponseEntity<byte[]> error(ApiError error) {
        return respond(error.status(), error);
    }

    public ResponseEntity<byte[]> respond(int status, Object body) {
        var builder = ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON);
        if (status == 429) {
            builder.header(HttpHeaders.RETRY_AFTER, "1");
        }
        return builder.body(mapper.writeValueAsBytes(body));
    }
}
