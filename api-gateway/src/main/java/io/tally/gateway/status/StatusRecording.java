package io.tally.gateway.status;

import io.tally.gateway.api.RequestCompletion;
import io.tally.protocol.LicenseCommand;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Counts every API call ({@code /api/...}) in {@link LiveStatus} once it is answered, with the time from its arrival
 * to its answer, however it ends: refused by a filter, answered on the request thread, or answered later by the
 * worker's reply (asynchronous requests are counted when they complete). Runs ahead of the filters that refuse calls,
 * so a 413 counts too.
 */
public class StatusRecording extends OncePerRequestFilter implements Ordered {

    private static final String LICENSE_ATTRIBUTE = StatusRecording.class.getName() + ".license";

    private final LiveStatus status;

    public StatusRecording(LiveStatus status) {
        this.status = status;
    }

    /**
     * Names the license the current call is about, so the status page can count it among the busiest. Does nothing
     * outside a request thread.
     */
    public static void nameLicense(LicenseCommand command) {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes != null) {
            attributes.setAttribute(LICENSE_ATTRIBUTE, command, RequestAttributes.SCOPE_REQUEST);
        }
    }

    @Override
    public int getOrder() {
        // With the request ids, ahead of the body size limit, whose 413s count too.
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long arrived = System.nanoTime();
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException failure) {
            // Not answered yet: the container answers it 500.
            record(request, 500, arrived);
            throw failure;
        }
        RequestCompletion.whenAnswered(request, () -> record(request, response.getStatus(), arrived));
    }

    private void record(HttpServletRequest request, int status, long arrived) {
        String license = request.getAttribute(LICENSE_ATTRIBUTE) instanceof LicenseCommand command
                ? LicenseLabel.of(command)
                : null;
        this.status.record(status, System.nanoTime() - arrived, license);
    }
}
