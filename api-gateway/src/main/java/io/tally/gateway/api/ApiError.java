package io.tally.gateway.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * The License API's error body: {@code {"status": 400, "code": "...", "message": "..."}}, sent with that HTTP status.
 * Messages never contain keys or signatures.
 */
@JsonPropertyOrder({"status", "code", "message"})
public record ApiError(int status, String code, String message) {

    public ApiError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    public static ApiError badRequest(String code, String message) {
        return new ApiError(400, code, message);
    }
}
