package io.tally.gateway.consumption;

import io.tally.gateway.api.ApiError;
import io.tally.gateway.api.ApiException;
import io.tally.gateway.api.ApiJson;
import io.tally.gateway.api.DirectCalls;
import io.tally.gateway.api.RequestIds;
import io.tally.gateway.signing.Authenticator;
import io.tally.gateway.signing.ResponseSigner;
import io.tally.gateway.tenant.TenantRateLimits;
import io.tally.gateway.validation.InputLimits;
import io.tally.gateway.validation.RequestFields;
import io.tally.protocol.Command;
import io.tally.protocol.CommandResult;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.TenantCredentials;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The License API's floating calls: {@code floating/release}, {@code floating/borrow} and their feature forms. Taking
 * and renewing a seat is {@code check_license} and {@code check_license_feature}, as in LicenseSpring's cloud. Every
 * answer is signed like the others; a release answers an empty string, a borrow
 * {@code {borrowed_until, max_borrow_time, device_id, license_id}}. Served ahead of Spring MVC (ADR 22).
 */
@RestController
public class FloatingController {

    /** The shapes LicenseSpring documents for {@code borrowed_until}, all UTC. */
    private static final List<DateTimeFormatter> BORROW_UNTIL_FORMATS = List.of(
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS"),
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"),
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));

    private final Authenticator authenticator;
    private final Outcomes outcomes;
    private final ApiJson json;
    private final ResponseSigner signer;
    private final Clock clock;
    private final TenantRateLimits rateLimits;
    private final InputLimits limits;

    FloatingController(
            Authenticator authenticator,
            Outcomes outcomes,
            ApiJson json,
            ResponseSigner signer,
            Clock clock,
            TenantRateLimits rateLimits,
            InputLimits limits) {
        this.authenticator = authenticator;
        this.outcomes = outcomes;
        this.json = json;
        this.signer = signer;
        this.clock = clock;
        this.rateLimits = rateLimits;
        this.limits = limits;
    }

    /** The calls by path, for {@link DirectCalls}. */
    Map<String, DirectCalls.Endpoint> directCalls() {
        return Map.of(
                "/api/v4/floating/release", this::release,
                "/api/v4/floating/feature_release", this::featureRelease,
                "/api/v4/floating/borrow", this::borrow,
                "/api/v4/floating/feature_borrow", this::featureBorrow);
    }

    @PostMapping("/api/v4/floating/release")
    CompletableFuture<ResponseEntity<byte[]>> release(HttpServletRequest request) {
        return release(request, false);
    }

    @PostMapping("/api/v4/floating/feature_release")
    CompletableFuture<ResponseEntity<byte[]>> featureRelease(HttpServletRequest request) {
        return release(request, true);
    }

    @PostMapping("/api/v4/floating/borrow")
    CompletableFuture<ResponseEntity<byte[]>> borrow(HttpServletRequest request) {
        return borrow(request, false);
    }

    @PostMapping("/api/v4/floating/feature_borrow")
    CompletableFuture<ResponseEntity<byte[]>> featureBorrow(HttpServletRequest request) {
        return borrow(request, true);
    }

    /** A floating call, authenticated and checked: its tenant, fields, Idempotency-Key and feature (or null). */
    private record FloatingCall(
            TenantCredentials tenant, RequestFields fields, Command.Idempotency idempotency, String feature) {}

    private FloatingCall floatingCall(HttpServletRequest request, String endpoint, boolean feature) {
        SignedCall call = SignedCall.of(request);
        TenantCredentials tenant = authenticate(call);
        RequestFields fields = RequestFields.ofBody(json.mapper(), call.body(), limits)
                .require(feature ? Requests.identity("feature") : Requests.identity());
        return new FloatingCall(
                tenant,
                fields,
                Requests.idempotency(
                        json.mapper(), Requests.Api.LICENSE, call.idempotencyKey(), endpoint, fields.root(), limits),
                feature ? fields.text("feature") : null);
    }

    private CompletableFuture<ResponseEntity<byte[]>> release(HttpServletRequest request, boolean feature) {
        FloatingCall call = floatingCall(request, feature ? "floating/feature_release" : "floating/release", feature);
        var command = new LicenseCommand.ReleaseSeat(
                RequestIds.current(),
                clock.instant(),
                call.tenant().tenantId(),
                call.idempotency(),
                Requests.licenseRef(call.fields()),
                call.fields().text("hardware_id"),
                call.feature());
        return outcomes.respond(
                command, rendered(result -> result instanceof CommandResult.SeatReleased ? "" : null, call.tenant()));
    }

    private CompletableFuture<ResponseEntity<byte[]>> borrow(HttpServletRequest request, boolean feature) {
        FloatingCall call = floatingCall(request, feature ? "floating/feature_borrow" : "floating/borrow", feature);
        TenantCredentials tenant = call.tenant();
        var command = new LicenseCommand.BorrowSeat(
                RequestIds.current(),
                clock.instant(),
                tenant.tenantId(),
                call.idempotency(),
                Requests.licenseRef(call.fields()),
                call.fields().text("hardware_id"),
                call.feature(),
                borrowedUntil(call.fields()));
        return outcomes.respond(
                command,
                rendered(
                        result -> result instanceof CommandResult.SeatBorrowed borrowed
                                ? new BorrowBody(
                                        borrowed.borrowedUntil(),
                                        borrowed.maxBorrowTime(),
                                        borrowed.deviceId(),
                                        borrowed.licenseId())
                                : null,
                        tenant));
    }

    /** The body of a successful borrow, in LicenseSpring's field order. */
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"borrowed_until", "max_borrow_time", "device_id", "license_id"
    })
    record BorrowBody(Instant borrowedUntil, int maxBorrowTime, Long deviceId, long licenseId) {}

    private Function<CommandResult, ResponseEntity<byte[]>> rendered(
            Function<CommandResult, Object> body, TenantCredentials tenant) {
        return result -> {
            Object rendered = body.apply(result);
            return rendered == null ? null : signer.sign(tenant, rendered);
        };
    }

    /**
     * {@code borrowed_until}: absent or {@code null} for the longest borrow, else a UTC time in one of the shapes
     * LicenseSpring documents; anything else is {@code borrow_until_not_valid}, as the cloud answers.
     */
    private Instant borrowedUntil(RequestFields fields) {
        JsonNode node = fields.node("borrowed_until");
        if (node == null || node.isNull()) {
            return null;
        }
        String text = node.isString() ? node.asString() : null;
        if (text != null && text.length() <= 40) {
            RequestFields.checkedText("borrowed_until", text, limits);
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException notIso) {
                // one of the other shapes
            }
            for (DateTimeFormatter format : BORROW_UNTIL_FORMATS) {
                try {
                    return LocalDateTime.parse(text, format).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException notThis) {
                    // the next shape
                }
            }
            try {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notADate) {
                // refused below
            }
        }
        throw new ApiException(new ApiError(400, "borrow_until_not_valid", "Borrow until field is not valid"));
    }

    private TenantCredentials authenticate(SignedCall call) {
        TenantCredentials tenant = authenticator.authenticate(call.date(), call.authorization());
        rateLimits.admit(tenant.tenantId());
        return tenant;
    }
}
