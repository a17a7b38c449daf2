package io.tally.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SecretSealingTest {

    private final SecretSealing sealing =
            new SecretSealing(new EnvelopeSignature("k2", Map.of("k1", "old-key", "k2", "new-key")));

    @Property(tries = 200)
    void shouldOpenWhatItSealedAndNeverShowTheSecret(@ForAll String secret, @ForAll String context) {
        String sealed = sealing.seal(secret, context);

        assertThat(sealing.open(sealed, context)).isEqualTo(secret);
        if (secret.length() >= 4) {
            assertThat(sealed).doesNotContain(secret);
        }
        assertThat(sealed).startsWith("k2:");
    }

    @Test
    void shouldSealTheSameSecretDifferentlyEachTime() {
        assertThat(sealing.seal("shared-key", "c")).isNotEqualTo(sealing.seal("shared-key", "c"));
    }

    @Test
    void shouldOpenWhatAnOlderStillValidKeySealed() {
        var previous = new SecretSealing(new EnvelopeSignature("k1", Map.of("k1", "old-key")));

        assertThat(sealing.open(previous.seal("s3cret", "c"), "c")).isEqualTo("s3cret");
    }

    @Test
    void shouldRefuseAnotherContextAnAlteredValueOrAnUnknownKey() {
        String sealed = sealing.seal("s3cret", "tenant/api-1/shared_key");
        int middle = sealed.length() - 10; // inside the ciphertext, away from the padding's unused bits
        String altered =
                sealed.substring(0, middle) + (sealed.charAt(middle) == 'A' ? 'B' : 'A') + sealed.substring(middle + 1);
        var stranger = new SecretSealing(new EnvelopeSignature("k2", Map.of("k2", "another-key")));

        assertThatThrownBy(() -> sealing.open(sealed, "tenant/api-2/shared_key"))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> sealing.open(altered, "tenant/api-1/shared_key"))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> stranger.open(sealed, "tenant/api-1/shared_key"))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> sealing.open("k9:AAAA", "c")).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> sealing.open("plain text", "c")).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> sealing.open("k2:%%%", "c")).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void shouldKeepNullsAsNulls() {
        assertThat(sealing.seal(null, "c")).isNull();
        assertThat(sealing.open(null, "c")).isNull();
    }
}
