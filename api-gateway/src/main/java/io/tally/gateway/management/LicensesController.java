package io.tally.gateway.management;

import io.tally.gateway.api.ApiJson;
import io.tally.gateway.consumption.Requests;
import io.tally.gateway.validation.InputLimits;
import io.tally.gateway.validation.RequestFields;
import io.tally.protocol.CommandResult;
import io.tally.protocol.LicenseChange;
import io.tally.protocol.TenantCredentials;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Management API's calls on one license (or one of its devices) by id: read it, change its floating settings,
 * reset its consumption, disable or enable it, blacklist a device. Each travels the license's own partition
 * ({@link LicenseChanges}).
 */
@RestController
class LicensesController {

    private final ManagementAuthentication authentication;
    private final LicenseChanges licenseChanges;
    private final ApiJson json;
    private final InputLimits limits;

    LicensesController(
            ManagementAuthentication authentication, LicenseChanges licenseChanges, ApiJson json, InputLimits limits) {
        this.authentication = authentication;
        this.licenseChanges = licenseChanges;
        this.json = json;
        this.limits = limits;
    }

    @GetMapping("/api/v1/licenses/{id}/")
    CompletableFuture<ResponseEntity<byte[]>> getLicense(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @PathVariable("id") long id) {
        TenantCredentials tenant = authenticate(authorization);
        return licenseChanges.send(tenant, id, null, new LicenseChange.Read(), this::licenseBody);
    }

    /**
     * {@code PATCH /api/v1/licenses/{id}/}: the license's floating settings ({@code is_floating_cloud},
     * {@code floating_users}, {@code floating_timeout}, {@code can_borrow}, {@code max_borrow_time}); those not given
     * stay as they are. Answers the license as {@code GET} does.
     */
    @PatchMapping("/api/v1/licenses/{id}/")
    CompletableFuture<ResponseEntity<byte[]>> update(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @PathVariable("id") long id,
            @RequestBody(required = false) byte[] body) {
        TenantCredentials tenant = authenticate(authorization);
        RequestFields request = RequestFields.ofBody(json.mapper(), body, limits);
        var floating = FloatingFields.of(request, true);
        return licenseChanges.send(
                tenant,
                id,
                Requests.idempotency(
                        json.mapper(), Requests.Api.MANAGEMENT, idempotencyKey, "update/" + id, request.root(), limits),
                new LicenseChange.UpdateFloating(floating),
                this::licenseBody);
    }

    @PostMapping("/api/v1/licenses/{id}/reset_consumption")
    CompletableFuture<ResponseEntity<byte[]>> resetConsumption(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @PathVariable("id") long id) {
        TenantCredentials tenant = authenticate(authorization);
        return licenseChanges.send(
                tenant,
                id,
                Requests.idempotency(
                        json.mapper(),
                        Requests.Api.MANAGEMENT,
                        idempotencyKey,
                        "reset_consumption/" + id,
                        null,
                        limits),
                new LicenseChange.ResetConsumption(),
                result -> result instanceof CommandResult.LicenseChecked
                        ? json.respond(200, Map.of("message", "License consumption reset."))
                        : null);
    }

    @PostMapping("/api/v1/licenses/{id}/disable/")
    CompletableFuture<ResponseEntity<byte[]>> disable(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @PathVariable("id") long id) {
        TenantCredentials tenant = authenticate(authorization);
        return licenseChanges.send(
                tenant,
                id,
                Requests.idempotency(
                        json.mapper(), Requests.Api.MANAGEMENT, idempotencyKey, "disable/" + id, null, limits),
                new LicenseChange.SetEnabled(false),
                this::licenseBody);
    }

    @PostMapping("/api/v1/licenses/{id}/enable/")
    CompletableFuture<ResponseEntity<byte[]>> enable(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @PathVariable("id") long id) {
        TenantCredentials tenant = authenticate(authorization);
        return licenseChanges.send(
                tenant,
                id,
                Requests.idempotency(
                        json.mapper(), Requests.Api.MANAGEMENT, idempotencyKey, "enable/" + id, null, limits),
                new LicenseChange.SetEnabled(true),
                this::licenseBody);
    }

    @PostMapping("/api/v1/devices/{id}/blacklist/")
    CompletableFuture<ResponseEntity<byte[]>> blacklist(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @PathVariable("id") long deviceId) {
        TenantCredentials tenant = authenticate(authorization);
        var idempotency = Requests.idempotency(
                json.mapper(), Requests.Api.MANAGEMENT, idempotencyKey, "blacklist/" + deviceId, null, limits);
        return licenseChanges.sendForDevice(
                tenant,
                deviceId,
                idempotency,
                new LicenseChange.BlacklistDevice(deviceId),
                result -> result instanceof CommandResult.LicenseChecked
                        ? json.respond(200, Map.of("message", "Device blacklisted."))
                        : null);
    }

    private ResponseEntity<byte[]> licenseBody(CommandResult result) {
        if (!(result instanceof CommandResult.LicenseChecked checked)) {
            return null;
        }
        return json.respond(200, checked.license());
    }

    private TenantCredentials authenticate(String authorization) {
        return authentication.authenticate(authorization);
    }
}
