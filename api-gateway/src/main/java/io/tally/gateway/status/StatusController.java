package io.tally.gateway.status;

import io.tally.gateway.api.ApiJson;
import io.tally.gateway.consumption.CommandDispatcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The live status page ({@code GET /status}: one HTML page, no build step, no library) and the figures it fetches
 * every second ({@code GET /status/live}). Off with the rest of the page ({@link StatusConfiguration}).
 */
@RestController
@ConditionalOnBooleanProperty(name = "tally.status-page.enabled", matchIfMissing = true)
class StatusController {

    private final LiveStatus status;
    private final CommandDispatcher dispatcher;
    private final ApiJson json;
    private final Clock clock;
    private final byte[] page;

    StatusController(LiveStatus status, CommandDispatcher dispatcher, ApiJson json, Clock clock) {
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

    @GetMapping(value = "/status", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<byte[]> page() {
        return ResponseEntity.ok()
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noStore())
                .body(page);
    }

    @GetMapping(value = "/status/live", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> live() {
        Live live = new Live(clock.instant(), dispatcher.waiting(), dispatcher.admissionLimit(), status.view());
        return ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .cacheControl(CacheControl.noStore())
                .body(json.mapper().writeValueAsBytes(live));
    }

    private static byte[] resource(String name) {
        try (InputStream in = StatusController.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the gateway's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
