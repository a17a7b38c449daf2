package io.tally.gateway.signing;

import io.tally.gateway.api.ApiError;
import io.tally.gateway.api.ApiException;
import io.tally.gateway.tenant.TenantKeys;
import io.tally.protocol.TenantCredentials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.springframework.stereotype.Component;

/**
 * Authenticates a License API call from its {@code Date} and {@code Authorization} headers, checking in this order:
 * both present ({@code missing_headers}), parseable ({@code authorization_invalid_headers},
 * {@code authorization_missing_params}), {@code hmac-sha256} ({@code hmac_required}), within 15 minutes of the
 * gateway's clock either way ({@code date_header_diff}), a known API key ({@code invalid_api_key}), and a matching
 * signature ({@code signature_mismatch}, HTTP 401).
 *
 * <p>Thread-safe. Keys and signatures never appear in errors or logs.
 */
@Component
public class Authenticator {

    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(15);

    private final TenantKeys tenants;
    private final Clock clock;

    /**
     * The last {@code Date} header parsed. Every client of a second sends the same text, and parsing it (RFC 1123
     * through {@code java.time}) cost more than the HMAC that follows; one entry suffices, as the text changes once a
     * second.
     */
    private volatile ParsedDate lastDate = new ParsedDate("", Instant.EPOCH);

    /**
     * The last signature that matched: the same tenant (the very credentials, so rotated keys never match it), the
     * same {@code Date} text and the same signature are the same HMAC, not computed again.
     */
    private volatile Verified lastVerified = new Verified(null, "", "");

    private record ParsedDate(String text, Instant instant) {}

    private record Verified(TenantCredentials tenant, String date, String signature) {

        boolean matches(TenantCredentials candidate, String candidateDate, String candidateSignature) {
            return tenant == candidate
                    && date.equals(candidateDate)
                    && java.security.MessageDigest.isEqual(
                            signature.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            candidateSignature.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    public Authenticator(TenantKeys tenants, Clock clock) {
        this.tenants = tenants;
        this.clock = clock;
    }

    /** Returns the tenant whose keys signed the call, or throws the License API error. */
    public TenantCredentials authenticate(String dateHeader, String authorizationHeader) {
        if (dateHeader == null || authorizationHeader == null) {
            throw new ApiException(
                    ApiError.badRequest("missing_headers", "Date and Authorization headers are required"));
        }
        AuthorizationHeader authorization = AuthorizationHeader.parse(authorizationHeader);
        if (!"hmac-sha256".equalsIgnoreCase(authorization.algorithm())) {
            throw new ApiException(ApiError.badRequest("hmac_required", "Algorithm must be hmac-sha256"));
        }
        Instant date = date(dateHeader);
        if (Duration.between(date, clock.instant()).abs().compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new ApiException(ApiError.badRequest(
                    "date_header_diff", "Date header differs from the server's time by more than 15 minutes"));
        }
        TenantCredentials tenant = tenants.byApiKey(authorization.apiKey())
                .orElseThrow(() -> new ApiException(ApiError.badRequest("invalid_api_key", "Invalid API key")));
        if (!lastVerified.matches(tenant, dateHeader, authorization.signature())) {
            if (!LicenseApiSignature.matches(tenant.sharedKey(), dateHeader, authorization.signature())) {
                throw new ApiException(new ApiError(401, "signature_mismatch", "Signature does not match"));
            }
            lastVerified = new Verified(tenant, dateHeader, authorization.signature());
        }
        // After the signature: only a caller holding the key's shared key learns that it was revoked.
        if (tenant.revoked()) {
            throw new ApiException(ApiError.badRequest("revoked_api_key", "The API key has been revoked"));
        }
        return tenant;
    }

    private Instant date(String dateHeader) {
        ParsedDate last = lastDate;
        if (last.text().equals(dateHeader)) {
            return last.instant();
        }
        Instant parsed = parseDate(dateHeader);
        lastDate = new ParsedDate(dateHeader, parsed);
        return parsed;
    }

    private static Instant parseDate(String dateHeader) {
        try {
            // RFC 1123 with any zone: the Go SDK sends local time with its zone name.
            return ZonedDateTime.parse(dateHeader.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            try {
                return ZonedDateTime.parse(
                                dateHeader.trim(),
                                DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss zzz", java.util.Locale.US))
                        .toInstant();
            } catch (DateTimeParseException again) {
                throw new ApiException(
                        ApiError.badRequest("authorization_invalid_headers", "Date header is not an RFC 7231 date"));
            }
        }
    }
}
