package io.tally.gateway.api;

/** Ends a request with a License API error body. Thrown only before anything is produced to Kafka. */
public final class ApiException extends RuntimeException {

    private final ApiError error;
    private final long retryAfterSeconds;

    public ApiException(ApiError error) {
        this(error, 1);
    }

    /** @param retryAfterSeconds the {@code Retry-After} of a 429 */
    public ApiException(ApiError error, long retryAfterSeconds) {
        super(error.code() + ": " + error.message(), null, false, false);
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(ApiError.badRequest(code, message));
    }

    public ApiError error() {
        return error;
    }
}
