package io.tally.gateway.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * Serves a fixed set of {@code POST} endpoints from the servlet filter chain, without Spring MVC's dispatch and HTTP
 * observation around each call (ADR 22). In a profile of the gateway at 1,000 calls/s those two cost about as much CPU
 * as the endpoint's own work, for a handler whose route, arguments and answer are already fixed: it reads the servlet
 * request itself and returns the bytes to write.
 *
 * <p>What the frameworks gave these calls is kept: the filters ahead of this one (request id, body size limit, status
 * recording, request context) run as before; a failure the endpoint throws is answered as {@link ApiExceptionHandler}
 * answers it; the answer is written by {@link DirectAnswers}; and each call is timed in
 * {@code http.server.requests} with the tags Spring's observation gives (the endpoint's path as {@code uri}), so
 * dashboards see no difference. Any other method or path goes on down the chain to Spring MVC, which maps the same
 * endpoints and answers, for example, 405 to a {@code GET}.
 *
 * <p>Thread-safe; the endpoints are called on the request thread.
 */
public final class DirectCalls implements Filter {

    /** An endpoint served directly: reads its call on the request thread and returns the answer to come. */
    @FunctionalInterface
    public interface Endpoint {
        CompletableFuture<ResponseEntity<byte[]>> call(HttpServletRequest request);
    }

    private final Map<String, Route> routes;
    private final DirectAnswers answers;
    private final ApiExceptionHandler failures;

    /**
     * @param endpoints the endpoints by the exact path they serve (no pattern, no context path)
     */
    public DirectCalls(
            Map<String, Endpoint> endpoints,
            DirectAnswers answers,
            ApiExceptionHandler failures,
            MeterRegistry meters) {
        this.routes = endpoints.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(
                        Map.Entry::getKey, entry -> new Route(entry.getKey(), entry.getValue(), meters)));
        this.answers = answers;
        this.failures = failures;
    }

    /** The paths served here, for the filter's registration. */
    public Set<String> paths() {
        return routes.keySet();
    }

    /** Whether this filter answers {@code request} itself (so nothing further down the chain sees it). */
    public boolean serves(HttpServletRequest request) {
        return "POST".equals(request.getMethod()) && routes.containsKey(request.getRequestURI());
    }

    @Override
    public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
            throws IOException, ServletException {
        if (!(servletRequest instanceof HttpServletRequest request)
                || !(servletResponse instanceof HttpServletResponse response)
                || !serves(request)) {
            chain.doFilter(servletRequest, servletResponse);
            return;
        }
        Route route = routes.get(request.getRequestURI());
        long arrived = System.nanoTime();
        CompletableFuture<ResponseEntity<byte[]>> answer;
        try {
            answer = route.endpoint().call(request);
        } catch (RuntimeException failure) {
            answer = CompletableFuture.completedFuture(failures.answer(failure));
        }
        answers.answer(
                request,
                response,
                answer,
                status -> route.timer(status).record(System.nanoTime() - arrived, TimeUnit.NANOSECONDS));
    }

    /** One endpoint and its timers by status, made once per status rather than looked up in the registry per call. */
    private record Route(String path, Endpoint endpoint, MeterRegistry meters, Map<Integer, Timer> timers) {

        Route(String path, Endpoint endpoint, MeterRegistry meters) {
            this(path, endpoint, meters, new ConcurrentHashMap<>());
        }

        Timer timer(int status) {
            return timers.computeIfAbsent(status, this::register);
        }

        private Timer register(int status) {
            // The tag keys and values of Spring's server observation (DefaultServerRequestObservationConvention) and
            // Micrometer's meter handler: one meter name carries one set of tag keys.
            return Timer.builder("http.server.requests")
                    .tags(Tags.of(
                            "error",
                            "none",
                            "exception",
                            "none",
                            "method",
                            "POST",
                            "outcome",
                            outcome(status),
                            "status",
                            String.valueOf(status),
                            "uri",
                            path))
                    .register(meters);
        }

        private static String outcome(int status) {
            HttpStatus.Series series = HttpStatus.Series.resolve(status);
            return series == null
                    ? "UNKNOWN"
                    : switch (series) {
                        case INFORMATIONAL -> "INFORMATIONAL";
                        case SUCCESSFUL -> "SUCCESS";
                        case REDIRECTION -> "REDIRECTION";
                        case CLIENT_ERROR -> "CLIENT_ERROR";
                        case SERVER_ERROR -> "SERVER_ERROR";
                    };
        }
    }
}
