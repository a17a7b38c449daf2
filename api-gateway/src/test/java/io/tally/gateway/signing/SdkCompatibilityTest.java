package io.tally.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.tally.gateway.tenant.TenantKeys;
import io.tally.protocol.TenantCredentials;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests signed exactly as LicenseSpring's SDKs sign them. The Python SDK formats {@code Date} with
 * {@code email.utils.formatdate(usegmt=True)} and writes {@code apikey}; the Go SDK formats it with Go's
 * {@code time.RFC1123} layout in local time ({@code Mon, 02 Jan 2006 15:04:05 MST}, a zone abbreviation) and writes
 * {@code apiKey}; the Node SDK writes {@code apiKey} with a space after each comma. The signature is always computed
 * over the header exactly as sent.
 */
class SdkCompatibilityTest {

    static final String SHARED = "shared-key-of-the-tenant";
    static final Instant NOW = Instant.parse("2026-11-28T09:15:30Z");
    static final TenantCredentials TENANT = new TenantCredentials("t", "api-key-1", SHARED, "m");

    private final TenantKeys tenants = mock(TenantKeys.class);
    private final Authenticator authenticator = new Authenticator(tenants, Clock.fixed(NOW, ZoneOffset.UTC));

    {
        when(tenants.byApiKey("api-key-1")).thenReturn(Optional.of(TENANT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTC", "GMT"})
    void shouldAcceptThePythonSdk(String ignoredZone) {
        // formatdate(usegmt=True): 'Sat, 28 Nov 2026 09:15:30 GMT'
        String date = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
                .format(NOW.atOffset(ZoneOffset.UTC));
        String header = String.format(
                "algorithm=\"hmac-sha256\",headers=\"date\",signature=\"%s\",apikey=\"%s\"",
                pythonSign(date), "api-key-1");

        assertThat(authenticator.authenticate(date, header)).isEqualTo(TENANT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTC", "Europe/Berlin", "America/Los_Angeles", "America/New_York", "Asia/Tokyo"})
    void shouldAcceptTheGoSdkInAnyLocalZone(String zone) {
        // time.Now().Format(time.RFC1123): 'Sat, 28 Nov 2026 10:15:30 CET'
        String date = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss zzz", Locale.US)
                .format(NOW.atZone(ZoneId.of(zone)));
        String header = String.format(
                "algorithm=\"hmac-sha256\",headers=\"date\",signature=\"%s\",apiKey=\"%s\"",
                pythonSign(date), "api-key-1");

        assertThat(authenticator.authenticate(date, header)).isEqualTo(TENANT);
    }

    @ParameterizedTest
    @ValueSource(strings = {", ", ","})
    void shouldAcceptTheNodeSdk(String separator) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.atOffset(ZoneOffset.UTC));
        String header = String.join(
                separator,
                "algorithm=\"hmac-sha256\"",
                "headers=\"date\"",
                "signature=\"" + pythonSign(date) + "\"",
                "apiKey=\"api-key-1\"");

        assertThat(authenticator.authenticate(date, header)).isEqualTo(TENANT);
    }

    /** The SDKs' own computation, written out independently of {@link LicenseApiSignature}. */
    private static String pythonSign(String date) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SHARED.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder()
                    .encodeToString(mac.doFinal(("licenseSpring\ndate: " + date).getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
