package io.tally.gateway.consumption;

import io.tally.gateway.api.ApiError;
import io.tally.gateway.api.ApiException;
import io.tally.gateway.api.ApiJson;
import io.tally.gateway.signing.Authenticator;
import io.tally.protocol.CommandResult;
import io.tally.protocol.ConsumeLicense;
import io.tally.protocol.TenantCredentials;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.requestreply.KafkaReplyTimeoutException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v4/add_consumption}. Authentication and validation happen here, before anything is produced; a
 * refused call leaves no trace on Kafka. The request thread is released while the worker decides.
 */
@RestController
class AddConsumptionController {

    private static final Logger LOGGER = LoggerFactory.getLogger(AddConsumptionController.class);

    private final Authenticator authenticator;
    private final CommandDispatcher dispatcher;
    private final ApiJson json;
    private final Clock clock;

    AddConsumptionController(Authenticator authenticator, CommandDispatcher dispatcher, ApiJson json, Clock clock) {
        this.authenticator = authenticator;
        this.dispatcher = dispatcher;
        this.json = json;
        this.clock = clock;
    }

    @PostMapping("/api/v4/add_consumption")
    CompletableFuture<ResponseEntity<byte[]>> addConsumption(
            @RequestHeader(value = "Date", required = false) String date,
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestBody(required = false) byte[] body) {
        TenantCredentials tenant = authenticator.authenticate(date, authorization);
        AddConsumptionRequest request = AddConsumptionRequest.parse(json.mapper(), body);
        UUID requestId = UUID.randomUUID();
        var command = new ConsumeLicense(
                requestId,
                clock.instant(),
                tenant.tenantId(),
                request.license(),
                request.hardwareId(),
                request.consumptions(),
                request.allowOverages(),
                request.maxOverages());
        return dispatcher
                .dispatch(command)
                .handle((reply, failure) -> failure == null
                        ? answer(reply.result(), requestId.toString())
                        : failed(failure, requestId.toString()));
    }

    private ResponseEntity<byte[]> answer(CommandResult result, String requestId) {
        return switch (result) {
            case CommandResult.LicenseConsumed consumed -> json.ok(consumed.license(), requestId);
            case CommandResult.ConsumptionRejected rejected ->
                json.error(
                        ApiError.badRequest(
                                rejected.rejection().type().code(),
                                rejected.rejection().message()),
                        requestId);
        };
    }

    private ResponseEntity<byte[]> failed(Throwable failure, String requestId) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof CommandDispatcher.Overloaded) {
            return json.error(new ApiError(429, "too_many_requests", "Too many requests; retry shortly"), null);
        }
        if (cause instanceof KafkaReplyTimeoutException) {
            return json.error(
                    new ApiError(
                            503,
                            "request_pending",
                            "The request was accepted and will be applied exactly once; its outcome is not known yet"),
                    requestId);
        }
        if (cause instanceof ApiException api) {
            return json.error(api.error(), requestId);
        }
        LOGGER.warn("Could not hand request {} to Kafka: {}", requestId, cause.toString());
        return json.error(new ApiError(503, "service_unavailable", "Service unavailable; retry shortly"), requestId);
    }
}
