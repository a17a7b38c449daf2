package io.tally.gateway.api;

/** Ends a request with a License API error body. Thrown only before anything is produced to Kafka. */
public final class ApiException extends RuntimeException {

    private final ApiError error;

    public ApiException(ApiError error) {
        super(error.code() + ": " + error.message(), null, false, false);
        this.error = error;
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(ApiError.badRequest(code, message));
    }

    public ApiError error() {
        return error;
    }
}
