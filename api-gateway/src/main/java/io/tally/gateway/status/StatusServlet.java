package io.tally.gateway.status;

import io.tally.gateway.api.ApiJson;
import io.tally.gateway.consumption.CommandDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;

/**
 * The live status page ({@code GET /status}: one HTML page, no build step, no library) and the figures it fetches
 * every second ({@code GET /status/live}). A plain servlet, so that it is served wherever the management endpoints are:
 * on the API port by default, on the management port when {@code management.server.port} differs
 * ({@link StatusManagementConfiguration}). Thread-safe.
 */
class StatusServlet extends HttpServlet {

    private final transient LiveStatus status;
    private final transient CommandDispatcher dispatcher;
    private final transient ApiJson json;
    private final transient Clock clock;
    private final byte[] page;

    StatusServlet(LiveStatus status, CommandDispatcher dispatcher, ApiJson json, Clock clock) {
        this.status = status;
        this.dispatcher = dispatcher;
        this.json = json;
        this.clock = clock;
        this.page = resource("/status/index.html");
    }

    /**
     * What {@code GET /status/live} answers.
     *
     * @param generatedAt when this answer was made
     * @param waiting calls waiting now for the worker or the broker
     * @param admissionLimit calls that may wait at once now; more get 429
     */
    record Live(Instant generatedAt, int waiting, int admissionLimit, StatusView view) {}

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getServletPath();
        byte[] body;
        if (path.equals("/status")) {
            response.setContentType("text/html;charset=UTF-8");
            body = page;
        } else if (path.equals("/status/live")) {
            Live live = new Live(clock.instant(), dispatcher.waiting(), dispatcher.admissionLimit(), status.view());
            response.setContentType("application/json");
            body = json.mapper().writeValueAsBytes(live);
        } else {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static byte[] resource(String name) {
        try (InputStream in = StatusServlet.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the gateway's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
