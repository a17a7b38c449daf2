package io.tally.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresPlatformTest {

    @Test
    void shouldPickZonkysArchiveForEachSupportedPlatform() {
        assertThat(PostgresPlatform.archive("Linux", "amd64")).isEqualTo("postgres-linux-x86_64.txz");
        assertThat(PostgresPlatform.archive("Linux", "aarch64")).isEqualTo("postgres-linux-arm_64.txz");
        assertThat(PostgresPlatform.archive("Mac OS X", "aarch64")).isEqualTo("postgres-darwin-arm_64.txz");
        assertThat(PostgresPlatform.archive("Mac OS X", "x86_64")).isEqualTo("postgres-darwin-x86_64.txz");
    }

    @Test
    void shouldNameThePlatformAndTheWayOutWhenItIsNotSupported() {
        assertThatThrownBy(() -> PostgresPlatform.archive("Windows 11", "amd64"))
                .hasMessageContaining("Windows 11 on amd64")
                .hasMessageContaining("docker compose");
        assertThatThrownBy(() -> PostgresPlatform.archive("Linux", "s390x")).hasMessageContaining("Linux on s390x");
    }

    @Test
    void shouldFindTheArchiveOfThisMachineOnTheClassPath() {
        assertThat(getClass().getClassLoader().getResource(PostgresPlatform.current()))
                .isNotNull();
    }
}
