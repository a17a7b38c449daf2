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

    /**
     * Request bodies that repeat a key or nest deeper than this are refused as {@code invalid_json}: a repeated key
     * would let the signed, validated and stored readings of one body differ, and depth costs stack on every reader.
     */
    public static final int MAX_NESTING_DEPTH = 32;

    private final JsonMapper mapper = JsonMapper.builder(tools.jackson.core.json.JsonFactory.builder()
                    .streamReadConstraints(tools.jackson.core.StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .build())
                    .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    private final io.micrometer.core.instrument.MeterRegistry meters;

    public ApiJson(io.micrometer.core.instrument.MeterRegistry meters) {
        this.meters = meters;
    }

    public JsonMapper mapper() {
        return mapper;
    }

    /** The error body, counted by status and code ({@code tally.gateway.errors}; the codes are a fixed set). */
    public ResponseEntity<byte[]> error(ApiError error) {
        return error(error, 1);
    }

    /** The error body; a 429 says to retry after {@code retryAfterSeconds}. */
    public ResponseEntity<byte[]> error(ApiError error, long retryAfterSeconds) {
        meters.counter("tally.gateway.errors", "status", String.valueOf(error.status()), "code", error.code())
                .increment();
        return respond(error.status(), error, retryAfterSeconds);
    }

    public ResponseEntity<byte[]> respond(int status, Object body) {
        return respond(status, body, 1);
    }

    private ResponseEntity<byte[]> respond(int status, Object body, long retryAfterSeconds) {
        var builder = ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON);
        if (status == 429) {
            builder.header(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds));
        }
        return builder.body(mapper.writeValueAsBytes(body));
    }
}
