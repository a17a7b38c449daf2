package io.tally.gateway.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Every failure leaves the gateway as a License API error body, never as Spring's default page. */
@RestControllerAdvice
public class ApiExceptionHandler {

    private static final Logger LOGGER = LoggerFactory.getLogger(ApiExceptionHandler.class);

    private final ApiJson json;
    private final BodySizeLimit bodySizeLimit;

    ApiExceptionHandler(ApiJson json, BodySizeLimit bodySizeLimit) {
        this.json = json;
        this.bodySizeLimit = bodySizeLimit;
    }

    /**
     * The answer to a failure thrown by an endpoint called outside Spring MVC ({@link DirectCalls}): the same as the
     * handlers below give.
     */
    public ResponseEntity<byte[]> answer(Exception e) {
        return switch (e) {
            case ApiException api -> api(api);
            case java.io.UncheckedIOException unreadable -> unreadable(unreadable);
            default -> unexpected(e);
        };
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<byte[]> api(ApiException e) {
        return json.error(e.error(), e.retryAfterSeconds());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<byte[]> notFound(NoResourceFoundException e) {
        return json.error(new ApiError(404, "not_found", "Not found"));
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<byte[]> method(HttpRequestMethodNotSupportedException e) {
        return json.error(new ApiError(405, "method_not_allowed", "Method " + e.getMethod() + " not allowed"));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<byte[]> mediaType(HttpMediaTypeNotSupportedException e) {
        return json.error(ApiError.badRequest("invalid_json", "Content-Type must be application/json"));
    }

    /** A path or query value of the wrong type, e.g. a license id that is not a number. */
    @ExceptionHandler(org.springframework.web.method.annotation.MethodArgumentTypeMismatchException.class)
    ResponseEntity<byte[]> typeMismatch(
            org.springframework.web.method.annotation.MethodArgumentTypeMismatchException e) {
        return json.error(ApiError.badRequest("validation_error", e.getName() + ": has the wrong type"));
    }

    /** Query parameters that are not valid UTF-8 once percent-decoded (Tomcat refuses to decode them). */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<byte[]> undecodable(org.apache.tomcat.util.http.InvalidParameterException e) {
        return json.error(ApiError.badRequest("validation_error", "query: parameters must be valid UTF-8"));
    }

    @ExceptionHandler(org.springframework.web.bind.ServletRequestBindingException.class)
    ResponseEntity<byte[]> binding(org.springframework.web.bind.ServletRequestBindingException e) {
        return json.error(ApiError.badRequest("missing_parameters", "Missing or unreadable parameters"));
    }

    /**
     * A body that could not be read: too large, not decodable by a converter, or, for the endpoints that read it
     * themselves ({@code UncheckedIOException}), the client went away while sending it.
     */
    @ExceptionHandler({
        org.springframework.http.converter.HttpMessageNotReadableException.class,
        java.io.UncheckedIOException.class
    })
    ResponseEntity<byte[]> unreadable(Exception e) {
        if (BodySizeLimit.causedByTooLarge(e)) {
            return tooLarge();
        }
        return json.error(ApiError.badRequest("invalid_json", "Request body is not readable"));
    }

    private ResponseEntity<byte[]> tooLarge() {
        return json.error(new ApiError(
                413, "payload_too_large", "Request body is larger than " + bodySizeLimit.maxBytes() + " bytes"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<byte[]> unexpected(Exception e) {
        if (BodySizeLimit.causedByTooLarge(e)) {
            // A streamed body found too large while the controller read it.
            return tooLarge();
        }
        LOGGER.error("Unexpected failure", e);
        return json.error(new ApiError(500, "internal_error", "Internal error"));
    }
}
