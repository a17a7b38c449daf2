package io.tally.protocol;

import java.util.Objects;

/**
 * A business refusal: nothing about the license changed. A small value, not an exception.
 *
 * @param type which rule refused
 * @param message the License API message shown to the caller
 */
public record Rejection(RejectionType type, String message) {

    public Rejection {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }

    public static Rejection of(RejectionType type) {
        return new Rejection(type, type.message());
    }
}
