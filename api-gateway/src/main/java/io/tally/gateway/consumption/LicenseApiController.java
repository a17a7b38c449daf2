package io.tally.gateway.consumption;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.tally.gateway.api.ApiException;
import io.tally.gateway.api.ApiJson;
import io.tally.gateway.api.RequestIds;
import io.tally.gateway.signing.Authenticator;
import io.tally.gateway.signing.ResponseSigner;
import io.tally.gateway.validation.InputLimits;
import io.tally.gateway.validation.RequestFields;
import io.tally.protocol.Command;
import io.tally.protocol.CommandResult;
import io.tally.protocol.CommandSecrets;
import io.tally.protocol.FeatureView;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.TenantCredentials;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The License API consumption calls. Authentication and validation happen here, in that order, before anything is
 * produced: a refused call leaves no trace on Kafka. The request thread is released while the worker decides. Every
 * answer is signed ({@code LicenseSignature}) with the tenant's key.
 */
@RestController
class LicenseApiController {

    private static final Set<String> EVENTS = Set.of("consumption_add", "offline_floating_consumptions_sync");
    private static final List<String> DEVICE_FIELDS =
            List.of("os_ver", "hostname", "app_ver", "sdk_ver", "vm_info", "is_vm", "mac_address", "variables");

    private final Authenticator authenticator;
    private final Outcomes outcomes;
    private final ApiJson json;
    private final ResponseSigner signer;
    private final Clock clock;
    private final io.tally.gateway.tenant.TenantRateLimits rateLimits;
    private final InputLimits limits;
    private final PasswordAttempts passwordAttempts;
    private final CommandSecrets secrets;

    LicenseApiController(
            Authenticator authenticator,
            Outcomes outcomes,
            ApiJson json,
            ResponseSigner signer,
            Clock clock,
            io.tally.gateway.tenant.TenantRateLimits rateLimits,
            InputLimits limits,
            PasswordAttempts passwordAttempts,
            CommandSecrets secrets) {
        this.secrets = secrets;
        this.rateLimits = rateLimits;
        this.limits = limits;
        this.passwordAttempts = passwordAttempts;
        this.authenticator = authenticator;
        this.outcomes = outcomes;
        this.json = json;
        this.signer = signer;
        this.clock = clock;
    }

    /** The body of a successful {@code add_feature_consumption}: its own field names and order. */
    @JsonPropertyOrder(alphabetic = true)
    record FeatureConsumptionBody(
            boolean allowNegativeConsumptions,
            boolean allowOverages,
            boolean allowUnlimitedConsumptions,

            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS)
            String consumptionPeriod,

            boolean isFloatingCloud,
            boolean isFloating,
            long maxConsumptions,
            long maxOverages,
            boolean resetConsumption,
            long totalConsumptions) {

        static FeatureConsumptionBody of(FeatureView feature) {
            return new FeatureConsumptionBody(
                    feature.allowNegativeConsumptions(),
                    feature.allowOverages(),
                    feature.allowUnlimitedConsumptions(),
                    feature.consumptionPeriod(),
                    false,
                    false,
                    feature.maxConsumption(),
                    feature.maxOverages(),
                    feature.resetConsumption(),
                    feature.totalConsumptions());
        }
    }

    /**
     * The calls with a body by path, served by {@link io.tally.gateway.api.DirectCalls} ahead of Spring MVC (ADR 22).
     * Spring MVC maps the same methods too, for the requests the filter leaves to it (another method: 405).
     */
    Map<String, io.tally.gateway.api.DirectCalls.Endpoint> directCalls() {
        return Map.of(
                "/api/v4/add_consumption", this::addConsumption,
                "/api/v4/add_feature_consumption", this::addFeatureConsumption,
                "/api/v4/batch", this::batch,
                "/api/v4/activate_license", this::activateLicense,
                "/api/v4/deactivate_license", this::deactivateLicense);
    }

    @PostMapping("/api/v4/add_consumption")
    CompletableFuture<ResponseEntity<byte[]>> addConsumption(HttpServletRequest request) {
        SignedCall call = SignedCall.of(request);
        TenantCredentials tenant = authenticate(call);
        var command = consumeLicense(
                tenant,
                RequestFields.ofBody(json.mapper(), call.body(), limits),
                RequestIds.current(),
                call.idempotencyKey(),
                "add_consumption");
        return outcomes.respond(command, result -> rendered(tenant, result, CommandResult.LicenseConsumed.class));
    }

    @PostMapping("/api/v4/add_feature_consumption")
    CompletableFuture<ResponseEntity<byte[]>> addFeatureConsumption(HttpServletRequest request) {
        SignedCall call = SignedCall.of(request);
        TenantCredentials tenant = authenticate(call);
        var command = consumeFeature(
                tenant,
                RequestFields.ofBody(json.mapper(), call.body(), limits),
                RequestIds.current(),
                call.idempotencyKey(),
                "add_feature_consumption");
        return outcomes.respond(command, result -> rendered(tenant, result, CommandResult.FeatureConsumed.class));
    }

    /**
     * {@code POST /api/v4/batch} (ours): up to {@code tally.limits.max-batch-operations} consumptions in one call, each applied exactly once
     * as if sent alone, answered with one result or error object per operation, in order. An operation's own
     * Idempotency-Key is the call's key with {@code #<index>} appended.
     */
    @PostMapping("/api/v4/batch")
    CompletableFuture<ResponseEntity<byte[]>> batch(HttpServletRequest request) {
        SignedCall call = SignedCall.of(request);
        TenantCredentials tenant = authenticate(call);
        JsonNode operations = RequestFields.ofBody(json.mapper(), call.body(), limits)
                .require("operations")
                .node("operations");
        if (!operations.isArray() || operations.isEmpty() || operations.size() > limits.maxBatchOperations()) {
            throw RequestFields.invalid(
                    "operations", "must be an array of 1 to " + limits.maxBatchOperations() + " operations");
        }
        List<CompletableFuture<JsonNode>> results = new ArrayList<>();
        UUID batchId = RequestIds.current();
        for (int index = 0; index < operations.size(); index++) {
            results.add(operation(tenant, operations.get(index), batchId, index, call.idempotencyKey()));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    var array = json.mapper().createArrayNode();
                    results.forEach(result -> array.add(result.join()));
                    var answer = json.mapper().createObjectNode();
                    answer.set("results", array);
                    return signed(tenant, answer);
                });
    }

    private CompletableFuture<JsonNode> operation(
            TenantCredentials tenant, JsonNode operation, UUID batchId, int index, String idempotencyKey) {
        try {
            if (!operation.isObject()) {
                throw RequestFields.invalid("operations[" + index + "]", "must be an object");
            }
            String op = operation.path("op").asString("");
            RequestFields fields = RequestFields.ofNode(operation, limits);
            String key = idempotencyKey == null ? null : idempotencyKey + "#" + index;
            UUID id = new UUID(batchId.getMostSignificantBits(), batchId.getLeastSignificantBits() + index + 1);
            Command command = switch (op) {
                case "add_consumption" -> consumeLicense(tenant, fields, id, key, op);
                case "add_feature_consumption" -> consumeFeature(tenant, fields, id, key, op);
                default ->
                    throw RequestFields.invalid(
                            "operations[" + index + "].op", "must be add_consumption or add_feature_consumption");
            };
            return outcomes.send(command, result -> rendered(tenant, result, null))
                    .thenApply(response -> json.mapper().readTree(response.getBody()));
        } catch (ApiException e) {
            return CompletableFuture.completedFuture(json.mapper().valueToTree(e.error()));
        }
    }

    private LicenseCommand.ConsumeLicense consumeLicense(
            TenantCredentials tenant, RequestFields fields, UUID id, String idempotencyKey, String endpoint) {
        fields.require(Requests.identity());
        LicenseRef license = Requests.licenseRef(fields);
        int consumptions = orDefault(fields.consumptions("consumptions"), 1);
        Boolean allowOverages = fields.bool("allow_overages");
        Integer maxOverages = fields.int32("max_overages", 0, (int) Math.min(Integer.MAX_VALUE, limits.maxLimit()));
        checkEvent(fields);
        return new LicenseCommand.ConsumeLicense(
                id,
                now(),
                tenant.tenantId(),
                idempotency(idempotencyKey, endpoint, fields),
                license,
                fields.text("hardware_id"),
                consumptions,
                allowOverages,
                maxOverages);
    }

    private LicenseCommand.ConsumeFeature consumeFeature(
            TenantCredentials tenant, RequestFields fields, UUID id, String idempotencyKey, String endpoint) {
        fields.require(Requests.identity("feature"));
        LicenseRef license = Requests.licenseRef(fields);
        checkEvent(fields);
        return new LicenseCommand.ConsumeFeature(
                id,
                now(),
                tenant.tenantId(),
                idempotency(idempotencyKey, endpoint, fields),
                license,
                fields.text("hardware_id"),
                fields.text("feature"),
                orDefault(fields.consumptions("consumptions"), 1));
    }

    /** {@code GET /api/v4/requests/{id}}: the outcome of an earlier request of the caller's tenant. */
    @GetMapping("/api/v4/requests/{id}")
    CompletableFuture<ResponseEntity<byte[]>> requestOutcome(
            @RequestHeader(value = "Date", required = false) String date,
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @org.springframework.web.bind.annotation.PathVariable("id") String id) {
        TenantCredentials tenant = authenticate(date, authorization);
        UUID requestId;
        try {
            requestId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw RequestFields.invalid("id", "must be a request id (UUID)");
        }
        var lookup = new io.tally.protocol.ManagementCommand.LookupOutcome(
                RequestIds.current(), now(), tenant.tenantId(), null, requestId);
        return outcomes.send(lookup, result -> switch (result) {
            case CommandResult.OutcomePending pending ->
                json.respond(
                        202,
                        new io.tally.gateway.api.ApiError(
                                202, "request_pending", "No outcome yet; the request is still in flight or unknown"));
            case CommandResult.OutcomeFound found ->
                found.outcome() instanceof CommandResult.CommandRejected rejected
                        ? json.error(new io.tally.gateway.api.ApiError(
                                rejected.rejection().type().status(),
                                rejected.rejection().type().code(),
                                rejected.rejection().message()))
                        : anyResult(tenant, found.outcome());
            default -> null;
        });
    }

    /** The 200 answer the endpoint that produced {@code result} gave, for looking it up later. */
    private ResponseEntity<byte[]> anyResult(TenantCredentials tenant, CommandResult result) {
        return switch (result) {
            case CommandResult.LicenseChecked checked ->
                signed(tenant, signer.withLicenseSignature(tenant, checked.license()));
            case CommandResult.FeatureChecked checked -> signed(tenant, checked.feature());
            case CommandResult.LicenseDeactivated deactivated -> signed(tenant, "license_deactivated");
            case CommandResult.ProductCreated created -> signed(tenant, java.util.Map.of("id", created.id()));
            case CommandResult.FeatureCreated created -> signed(tenant, java.util.Map.of("id", created.id()));
            case CommandResult.OrderCreated created -> signed(tenant, created);
            default -> rendered(tenant, result, null);
        };
    }

    /**
     * The signed 200 answer for a consumption result; {@code null} when the result is not of {@code expected} (any
     * consumption result when {@code null}).
     */
    private ResponseEntity<byte[]> rendered(
            TenantCredentials tenant, CommandResult result, Class<? extends CommandResult> expected) {
        if (expected != null && !expected.isInstance(result)) {
            return null;
        }
        return switch (result) {
            case CommandResult.LicenseConsumed consumed -> signed(tenant, consumed.license());
            case CommandResult.FeatureConsumed consumed ->
                signed(tenant, FeatureConsumptionBody.of(consumed.feature()));
            default -> null;
        };
    }

    @PostMapping("/api/v4/activate_license")
    CompletableFuture<ResponseEntity<byte[]>> activateLicense(HttpServletRequest request) {
        SignedCall call = SignedCall.of(request);
        TenantCredentials tenant = authenticate(call);
        RequestFields fields =
                RequestFields.ofBody(json.mapper(), call.body(), limits).require(Requests.identity());
        LicenseRef license = Requests.licenseRef(fields);
        String password = null;
        if (license.username() != null) {
            fields.require("password");
            password = fields.text("password");
            passwordAttempts.admit(tenant.tenantId(), license.product(), license.username());
        }
        Map<String, Object> device = fields.details(json.mapper(), DEVICE_FIELDS);
        var command = new LicenseCommand.ActivateLicense(
                RequestIds.current(),
                now(),
                tenant.tenantId(),
                idempotency(call.idempotencyKey(), "activate_license", fields),
                license,
                fields.text("hardware_id"),
                null,
                password == null ? null : secrets.sealPassword(RequestIds.current(), license.username(), password),
                device);
        Function<CommandResult, ResponseEntity<byte[]>> rendered =
                result -> result instanceof CommandResult.LicenseChecked checked
                        ? signed(tenant, signer.withLicenseSignature(tenant, checked.license()))
                        : null;
        if (password == null) {
            return outcomes.respond(command, rendered);
        }
        // A password check is always answered, never 202, so that its refusal is counted (PasswordAttempts).
        return outcomes.sendCounting(command, rendered, rejection -> {
            if (rejection.type() == io.tally.protocol.RejectionType.INVALID_PASSWORD) {
                passwordAttempts.failed(tenant.tenantId(), license.product(), license.username());
            }
        });
    }

    @PostMapping("/api/v4/deactivate_license")
    CompletableFuture<ResponseEntity<byte[]>> deactivateLicense(HttpServletRequest request) {
        SignedCall call = SignedCall.of(request);
        TenantCredentials tenant = authenticate(call);
        RequestFields fields =
                RequestFields.ofBody(json.mapper(), call.body(), limits).require(Requests.identity());
        var command = new LicenseCommand.DeactivateLicense(
                RequestIds.current(),
                now(),
                tenant.tenantId(),
                idempotency(call.idempotencyKey(), "deactivate_license", fields),
                Requests.licenseRef(fields),
                fields.text("hardware_id"),
                fields.consumptions("consumptions"));
        return outcomes.respond(
                command,
                result -> result instanceof CommandResult.LicenseDeactivated
                        ? signed(tenant, "license_deactivated")
                        : null);
    }

    @GetMapping("/api/v4/check_license")
    CompletableFuture<ResponseEntity<byte[]>> checkLicense(
            @RequestHeader(value = "Date", required = false) String date,
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestParam Map<String, String> query) {
        TenantCredentials tenant = authenticate(date, authorization);
        RequestFields fields =
                RequestFields.ofQuery(json.mapper(), query, limits).require(Requests.identity());
        var command = new LicenseCommand.CheckLicense(
                RequestIds.current(),
                now(),
                tenant.tenantId(),
                null,
                Requests.licenseRef(fields),
                fields.text("hardware_id"));
        return outcomes.send(
                command,
                result -> result instanceof CommandResult.LicenseChecked checked
                        ? signed(tenant, signer.withLicenseSignature(tenant, checked.license()))
                        : null);
    }

    @GetMapping("/api/v4/check_license_feature")
    CompletableFuture<ResponseEntity<byte[]>> checkLicenseFeature(
            @RequestHeader(value = "Date", required = false) String date,
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestParam Map<String, String> query) {
        TenantCredentials tenant = authenticate(date, authorization);
        RequestFields fields =
                RequestFields.ofQuery(json.mapper(), query, limits).require(Requests.identity("feature"));
        var command = new LicenseCommand.CheckFeature(
                RequestIds.current(),
                now(),
                tenant.tenantId(),
                null,
                Requests.licenseRef(fields),
                fields.text("hardware_id"),
                fields.text("feature"));
        return outcomes.send(
                command,
                result -> result instanceof CommandResult.FeatureChecked checked
                        ? signed(tenant, checked.feature())
                        : null);
    }

    private TenantCredentials authenticate(SignedCall call) {
        return authenticate(call.date(), call.authorization());
    }

    private TenantCredentials authenticate(String date, String authorization) {
        TenantCredentials tenant = authenticator.authenticate(date, authorization);
        rateLimits.admit(tenant.tenantId());
        return tenant;
    }

    private ResponseEntity<byte[]> signed(TenantCredentials tenant, Object body) {
        return signer.sign(tenant, body);
    }

    private Command.Idempotency idempotency(String key, String endpoint, RequestFields fields) {
        return Requests.idempotency(json.mapper(), Requests.Api.LICENSE, key, endpoint, fields.root(), limits);
    }

    private Instant now() {
        return clock.instant();
    }

    private static void checkEvent(RequestFields fields) {
        JsonNode event = fields.node("event");
        if (event == null) {
            return;
        }
        if (!event.isArray()
                || event.size() > 1
                || (event.size() == 1 && !EVENTS.contains(event.get(0).asString("")))) {
            throw RequestFields.invalid(
                    "event",
                    "must be an array with one of "
                            + String.join(", ", EVENTS.stream().sorted().toList()));
        }
    }

    private static int orDefault(Integer value, int otherwise) {
        return value == null ? otherwise : value;
    }
}
