package io.tally.gateway.consumption;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What a License API call with a body brings: the two headers it is signed with, its {@code Idempotency-Key} and its
 * body, each possibly absent. Read straight from the servlet request: Spring MVC's argument resolution (header
 * conversion, content negotiation, message converters) cost more per call than the endpoint's own work (ADR 21).
 */
record SignedCall(String date, String authorization, String idempotencyKey, byte[] body) {

    /**
     * Reads the call on its request thread. The body is bounded by {@code BodySizeLimit}, whose refusal travels as the
     * cause of the {@link UncheckedIOException} thrown here.
     */
    static SignedCall of(HttpServletRequest request) {
        try {
            return new SignedCall(
                    request.getHeader("Date"),
                    request.getHeader("Authorization"),
                    request.getHeader(Requests.IDEMPOTENCY_KEY_HEADER),
                    request.getInputStream().readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
