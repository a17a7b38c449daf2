package io.tally.gateway.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id, answered in {@code Tally-Request-Id} on every response, refusals included. The id of a
 * call that becomes a command is the command's id, so it names the request in the ledger too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestIds extends OncePerRequestFilter {

    public static final String HEADER = "Tally-Request-Id";

    /** The log field (MDC key) that carries the request id, in the gateway's and the worker's logs alike. */
    public static final String MDC_KEY = "request_id";

    private static final String ATTRIBUTE = RequestIds.class.getName();

    /** The id of the request being handled on this thread. */
    public static UUID current() {
        Object id = RequestContextHolder.currentRequestAttributes()
                .getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        return id instanceof UUID uuid ? uuid : UUID.randomUUID();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        UUID id = UUID.randomUUID();
        request.setAttribute(ATTRIBUTE, id);
        response.setHeader(HEADER, id.toString());
        // Every log line written while handling the call carries its id, as the worker's lines about its command do.
        try (var ignored = org.slf4j.MDC.putCloseable(MDC_KEY, id.toString())) {
            chain.doFilter(request, response);
        }
    }
}
