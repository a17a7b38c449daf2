package io.tally.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class EnvelopeSignatureTest {

    private final EnvelopeSignature signature = new EnvelopeSignature("k2", Map.of("k1", "old-key", "k2", "new-key"));

    @Test
    void shouldVerifyWhatItSigned() {
        byte[] payload = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

        assertThat(signature.verify("k2", signature.sign(payload), payload)).isTrue();
    }

    @Test
    void shouldRefuseUnknownKeyIdAndGarbage() {
        byte[] payload = "{}".getBytes(StandardCharsets.UTF_8);
        String sig = signature.sign(payload);

        assertThat(signature.verify("k1", sig, payload)).isFalse();
        assertThat(signature.verify("k9", sig, payload)).isFalse();
        assertThat(signature.verify("k2", "%%%not-base64", payload)).isFalse();
        assertThat(signature.verify(null, sig, payload)).isFalse();
        assertThat(signature.verify("k2", null, payload)).isFalse();
    }

    @Test
    void shouldAcceptEnvelopesSignedWithAnOlderStillValidKey() {
        var previousGateway = new EnvelopeSignature("k1", Map.of("k1", "old-key"));
        byte[] payload = "{}".getBytes(StandardCharsets.UTF_8);

        assertThat(signature.verify("k1", previousGateway.sign(payload), payload))
                .isTrue();
    }

    @Property(tries = 200)
    void shouldRefuseAnyTamperedPayload(@ForAll byte[] payload, @ForAll int position, @ForAll byte flip) {
        if (payload.length == 0 || flip == 0) {
            return;
        }
        String sig = signature.sign(payload);
        byte[] tampered = payload.clone();
        int index = Math.floorMod(position, payload.length);
        tampered[index] = (byte) (tampered[index] ^ flip);

        assertThat(signature.verify("k2", sig, tampered)).isFalse();
    }
}
