package io.tally.gateway.consumption;

import io.tally.gateway.api.ApiError;
import io.tally.gateway.api.ApiException;
import io.tally.gateway.api.ApiJson;
import io.tally.protocol.Command;
import io.tally.protocol.CommandResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.requestreply.KafkaReplyTimeoutException;
import org.springframework.stereotype.Component;

/**
 * Sends a command and turns what comes back into an HTTP answer: the endpoint renders a success, a refusal becomes
 * the error body with its status, and a late reply, a full gateway or an unreachable broker get 503
 * {@code request_pending}, 429 {@code too_many_requests} and 503 {@code service_unavailable}.
 */
@Component
public class Outcomes {

    private static final Logger LOGGER = LoggerFactory.getLogger(Outcomes.class);

    private final CommandDispatcher dispatcher;
    private final ApiJson json;

    public Outcomes(CommandDispatcher dispatcher, ApiJson json) {
        this.dispatcher = dispatcher;
        this.json = json;
    }

    /**
     * Like {@link #send}, but with {@code Prefer: respond-async} on the current request answers 202 as soon as the
     * broker has the command, with {@code Location: /api/v4/requests/<id>} where its outcome will be. Call on the
     * request thread.
     */
    public CompletableFuture<ResponseEntity<byte[]>> respond(
            Command command, Function<CommandResult, ResponseEntity<byte[]>> success) {
        nameLicense(command);
        var attributes = org.springframework.web.context.request.RequestContextHolder.getRequestAttributes();
        String prefer = attributes instanceof org.springframework.web.context.request.ServletRequestAttributes servlet
                ? servlet.getRequest().getHeader("Prefer")
                : null;
        if (prefer == null || !prefer.toLowerCase(java.util.Locale.ROOT).contains("respond-async")) {
            return send(command, success);
        }
        String requestId = command.commandId().toString();
        return dispatcher.produce(command).handle((ignored, failure) -> {
            if (failure != null) {
                return failed(failure, requestId);
            }
            return ResponseEntity.status(202)
                    .header("Location", "/api/v4/requests/" + requestId)
                    .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                    .body(json.mapper()
                            .writeValueAsBytes(new ApiError(
                                    202, "request_accepted", "Accepted; its outcome will be at the Location")));
        });
    }

    /**
     * @param success renders a successful result; returns {@code null} for a result the endpoint does not expect
     */
    public CompletableFuture<ResponseEntity<byte[]>> send(
            Command command, Function<CommandResult, ResponseEntity<byte[]>> success) {
        return send(command, success, rejection -> {});
    }

    /**
     * Like {@link #send(Command, Function)} whatever the request prefers (never 202), telling {@code onRejected} of a
     * refusal before it is answered.
     */
    public CompletableFuture<ResponseEntity<byte[]>> sendCounting(
            Command command,
            Function<CommandResult, ResponseEntity<byte[]>> success,
            java.util.function.Consumer<io.tally.protocol.Rejection> onRejected) {
        return send(command, success, onRejected);
    }

    private CompletableFuture<ResponseEntity<byte[]>> send(
            Command command,
            Function<CommandResult, ResponseEntity<byte[]>> success,
            java.util.function.Consumer<io.tally.protocol.Rejection> onRejected) {
        nameLicense(command);
        String requestId = command.commandId().toString();
        return dispatcher.dispatch(command).handle((reply, failure) -> {
            if (failure != null) {
                return failed(failure, requestId);
            }
            if (reply.result() instanceof CommandResult.CommandRejected rejected) {
                onRejected.accept(rejected.rejection());
            }
            return render(reply.result(), success, requestId);
        });
    }

    /** Lets the status page count the call among its license's (on the request thread; elsewhere a no-op). */
    private static void nameLicense(Command command) {
        if (command instanceof io.tally.protocol.LicenseCommand licenseCommand) {
            io.tally.gateway.status.StatusRecording.nameLicense(licenseCommand);
        }
    }

    private ResponseEntity<byte[]> render(
            CommandResult result, Function<CommandResult, ResponseEntity<byte[]>> success, String requestId) {
        if (result instanceof CommandResult.CommandRejected rejected) {
            return json.error(new ApiError(
                    rejected.rejection().type().status(),
                    rejected.rejection().type().code(),
                    rejected.rejection().message()));
        }
        ResponseEntity<byte[]> rendered = success.apply(result);
        if (rendered == null) {
            LOGGER.error(
                    "Unexpected result {} for request {}", result.getClass().getSimpleName(), requestId);
            return json.error(new ApiError(500, "internal_error", "Internal error"));
        }
        return rendered;
    }

    /**
     * For Management API paths that name a license (or device) by id: first asks the worker where that license lives,
     * then sends {@code next}'s command on the license's own partition.
     */
    public CompletableFuture<ResponseEntity<byte[]>> sendResolved(
            io.tally.protocol.ManagementCommand.ResolveLicense resolve,
            Function<io.tally.protocol.LicenseRef, Command> next,
            Function<CommandResult, ResponseEntity<byte[]>> success) {
        String requestId = resolve.commandId().toString();
        return dispatcher
                .dispatch(resolve)
                .thenCompose(reply -> {
                    if (reply.result() instanceof CommandResult.LicenseResolved resolved) {
                        return send(next.apply(resolved.license()), success);
                    }
                    // Not found (or not this tenant's): answered as the resolution was, nothing more is sent.
                    return CompletableFuture.completedFuture(render(reply.result(), result -> null, requestId));
                })
                .exceptionally(failure -> failed(failure, requestId));
    }

    private ResponseEntity<byte[]> failed(Throwable failure, String requestId) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof CommandDispatcher.Overloaded) {
            return json.error(new ApiError(429, "too_many_requests", "Too many requests; retry shortly"));
        }
        if (cause instanceof KafkaReplyTimeoutException) {
            return json.error(new ApiError(
                    503,
                    "request_pending",
                    "The request was accepted and will be applied exactly once; its outcome is not known yet"));
        }
        if (cause instanceof CommandDispatcher.NoReplyPartition) {
            // Not ready (readiness says so too): nothing was produced.
            return json.error(new ApiError(503, "service_unavailable", "Service unavailable; retry shortly"));
        }
        if (cause instanceof ApiException api) {
            return json.error(api.error());
        }
        try (var ignored = org.slf4j.MDC.putCloseable(io.tally.gateway.api.RequestIds.MDC_KEY, requestId)) {
            LOGGER.warn("Could not hand request {} to Kafka: {}", requestId, cause.toString());
        }
        return json.error(new ApiError(503, "service_unavailable", "Service unavailable; retry shortly"));
    }
}
