package io.tally.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LicenseApiClientTest {

    @Test
    void shouldSignTheDocumentedTestVector() {
        assertThat(LicenseApiClient.signature(
                        "kw4qSnpSwXzgiv5yxYpZZmFEd9QAeiKTQ6OuyMja", "Tue, 07 Jun 2011 20:51:35 GMT"))
                .isEqualTo("UDysfR6MndUZReo07Y9r+vErn8vSxrnQ5ulit18iJ/Q=");
    }

    @Test
    void shouldBuildTheAuthorizationHeaderLicenseSpringExpects() {
        assertThat(LicenseApiClient.authorization(
                        "key", "kw4qSnpSwXzgiv5yxYpZZmFEd9QAeiKTQ6OuyMja", "Tue, 07 Jun 2011 20:51:35 GMT"))
                .isEqualTo(
                        "algorithm=\"hmac-sha256\",headers=\"date\",signature=\"UDysfR6MndUZReo07Y9r+vErn8vSxrnQ5ulit18iJ/Q=\",apikey=\"key\"");
    }
}
