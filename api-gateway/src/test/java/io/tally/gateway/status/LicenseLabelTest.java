package io.tally.gateway.status;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class LicenseLabelTest {

    @Test
    void shouldKeepTheFirstFourAndLastTwoCharactersWhenTheKeyIsLong() {
        assertThat(LicenseLabel.masked("ABCD-EFGH-IJKL-MNOP")).isEqualTo("ABCD…OP");
        assertThat(LicenseLabel.masked("ABCDEFGHIJKL")).isEqualTo("ABCD…");
    }

    @Test
    void shouldKeepAtMostAThirdOfAShortName() {
        assertThat(LicenseLabel.masked("ann@example")).isEqualTo("ann…");
        assertThat(LicenseLabel.masked("bob")).isEqualTo("b…");
        assertThat(LicenseLabel.masked("x")).isEqualTo("…");
    }

    @Property
    void shouldNeverShowMoreThanAThirdOfAName(@ForAll @StringLength(min = 1, max = 64) String name) {
        String masked = LicenseLabel.masked(name);

        assertThat(masked.length() - 1).isLessThanOrEqualTo(name.length() / 3);
        assertThat(masked).contains("…");
    }
}
