package io.tally.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.tally.gateway.api.ApiException;
import io.tally.gateway.tenant.TenantKeys;
import io.tally.protocol.TenantCredentials;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthenticatorTest {

    static final String SHARED_KEY = "kw4qSnpSwXzgiv5yxYpZZmFEd9QAeiKTQ6OuyMja";
    static final String DATE = "Tue, 07 Jun 2011 20:51:35 GMT";
    static final String VECTOR_SIGNATURE = "UDysfR6MndUZReo07Y9r+vErn8vSxrnQ5ulit18iJ/Q=";
    static final TenantCredentials TENANT = new TenantCredentials("t1", "api-1", SHARED_KEY, "m-1");

    private final TenantKeys tenants = mock(TenantKeys.class);
    private final Authenticator authenticator =
            new Authenticator(tenants, Clock.fixed(Instant.parse("2011-06-07T20:55:00Z"), ZoneOffset.UTC));

    {
        when(tenants.byApiKey("api-1")).thenReturn(Optional.of(TENANT));
        when(tenants.byApiKey("other")).thenReturn(Optional.empty());
        when(tenants.byApiKey("api-old")).thenReturn(Optional.of(TENANT.withApiKey("api-old", SHARED_KEY, true)));
    }

    @Test
    void shouldRefuseARevokedKeyOnceItsSignatureMatches() {
        String signed =
                "algorithm=\"hmac-sha256\",headers=\"date\",signature=\"" + VECTOR_SIGNATURE + "\",apikey=\"api-old\"";
        String unsigned = "algorithm=\"hmac-sha256\",headers=\"date\",signature=\"x\",apikey=\"api-old\"";

        assertThatThrownBy(() -> authenticator.authenticate(DATE, signed))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.error().code()).isEqualTo("revoked_api_key");
                    assertThat(e.error().status()).isEqualTo(400);
                });
        assertThatThrownBy(() -> authenticator.authenticate(DATE, unsigned))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.error().code()).isEqualTo("signature_mismatch"));
    }

    @Test
    void shouldProduceTheDocumentedTestVector() {
        assertThat(LicenseApiSignature.sign(SHARED_KEY, DATE)).isEqualTo(VECTOR_SIGNATURE);
    }

    @Test
    void shouldAuthenticateTheDocumentedTestVector() {
        String header =
                "algorithm=\"hmac-sha256\",headers=\"date\",signature=\"" + VECTOR_SIGNATURE + "\",apikey=\"api-1\"";

        assertThat(authenticator.authenticate(DATE, header)).isEqualTo(TENANT);
    }

    @Test
    void shouldTolerateWhatRealSdksSend() {
        // apiKey in camel case, spaces after commas, a date in another zone (signed over the raw header)
        String date = "Tue, 07 Jun 2011 22:51:35 +0200";
        String header = "algorithm=\"hmac-sha256\", headers=\"date\", signature=\""
                + LicenseApiSignature.sign(SHARED_KEY, date) + "\", apiKey=\"api-1\"";

        assertThat(authenticator.authenticate(date, header)).isEqualTo(TENANT);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            value = {
                "missing_headers       | 400 | NULL                            | algorithm=\"hmac-sha256\",headers=\"date\",signature=\"x\",apikey=\"api-1\"",
                "missing_headers       | 400 | Tue, 07 Jun 2011 20:51:35 GMT   | NULL",
                "authorization_invalid_headers | 400 | Tue, 07 Jun 2011 20:51:35 GMT | garbage",
                "authorization_invalid_headers | 400 | yesterday | algorithm=\"hmac-sha256\",headers=\"date\",signature=\"x\",apikey=\"api-1\"",
                "authorization_missing_params | 400 | Tue, 07 Jun 2011 20:51:35 GMT | algorithm=\"hmac-sha256\",headers=\"date\",apikey=\"api-1\"",
                "hmac_required         | 400 | Tue, 07 Jun 2011 20:51:35 GMT   | algorithm=\"hmac-sha1\",headers=\"date\",signature=\"x\",apikey=\"api-1\"",
                "date_header_diff      | 400 | Tue, 07 Jun 2011 20:30:00 GMT   | algorithm=\"hmac-sha256\",headers=\"date\",signature=\"x\",apikey=\"api-1\"",
                "date_header_diff      | 400 | Tue, 07 Jun 2011 21:20:00 GMT   | algorithm=\"hmac-sha256\",headers=\"date\",signature=\"x\",apikey=\"api-1\"",
                "invalid_api_key       | 400 | Tue, 07 Jun 2011 20:51:35 GMT   | algorithm=\"hmac-sha256\",headers=\"date\",signature=\"x\",apikey=\"other\"",
                "signature_mismatch    | 401 | Tue, 07 Jun 2011 20:51:35 GMT   | algorithm=\"hmac-sha256\",headers=\"date\",signature=\"UDysfR6MndUZReo07Y9r+vErn8vSxrnQ5ulit18iJ/A=\",apikey=\"api-1\"",
            })
    void shouldRefuseWithTheDocumentedCode(String code, int status, String date, String authorization) {
        assertThatThrownBy(() -> authenticator.authenticate(date, authorization))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.error().code()).isEqualTo(code);
                    assertThat(e.error().status()).isEqualTo(status);
                    assertThat(e.error().message()).doesNotContain(SHARED_KEY, "UDysfR6M");
                });
    }

    @Test
    void shouldStillRefuseAnotherSignatureWhenTheSameDateWasJustAccepted() {
        // given: the vector accepted, so its date and signature are the last ones verified
        String good =
                "algorithm=\"hmac-sha256\",headers=\"date\",signature=\"" + VECTOR_SIGNATURE + "\",apikey=\"api-1\"";
        assertThat(authenticator.authenticate(DATE, good)).isEqualTo(TENANT);
        String forged = good.replace(VECTOR_SIGNATURE, "UDysfR6MndUZReo07Y9r+vErn8vSxrnQ5ulit18iJ/A=");

        // when / then
        assertThatThrownBy(() -> authenticator.authenticate(DATE, forged))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.error().code()).isEqualTo("signature_mismatch"));
        assertThat(authenticator.authenticate(DATE, good)).isEqualTo(TENANT);
    }

    @Test
    void shouldRefuseTheOldSignatureWhenTheTenantsSharedKeyWasRotated() {
        // given: accepted under the old shared key
        String header =
                "algorithm=\"hmac-sha256\",headers=\"date\",signature=\"" + VECTOR_SIGNATURE + "\",apikey=\"api-1\"";
        assertThat(authenticator.authenticate(DATE, header)).isEqualTo(TENANT);

        // when: the same API key now has another shared key
        when(tenants.byApiKey("api-1"))
                .thenReturn(Optional.of(new TenantCredentials("t1", "api-1", "another-shared-key-0123456789", "m-1")));

        // then
        assertThatThrownBy(() -> authenticator.authenticate(DATE, header))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.error().code()).isEqualTo("signature_mismatch"));
    }

    @Test
    void shouldJudgeEachDateTextOnItsOwnWhenDatesFollowOneAnother() {
        // given: a date within the skew accepted
        String header =
                "algorithm=\"hmac-sha256\",headers=\"date\",signature=\"" + VECTOR_SIGNATURE + "\",apikey=\"api-1\"";
        assertThat(authenticator.authenticate(DATE, header)).isEqualTo(TENANT);

        // when / then: the next text is parsed, not taken for the last one
        assertThatThrownBy(() -> authenticator.authenticate("Tue, 07 Jun 2011 20:30:00 GMT", header))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.error().code()).isEqualTo("date_header_diff"));
    }
}
