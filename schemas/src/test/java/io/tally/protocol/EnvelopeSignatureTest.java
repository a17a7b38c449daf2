package io.tally.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.protocol.EnvelopeSignature.Kind;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class EnvelopeSignatureTest {

    private final EnvelopeSignature signature = new EnvelopeSignature("k2", Map.of("k1", "old-key", "k2", "new-key"));
    private final byte[] value = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    private final Map<String, byte[]> headers = new HashMap<>(Map.of(
            EnvelopeSignature.COMMAND_ID_HEADER, bytes("c0ffee"),
            EnvelopeSignature.REPLY_PARTITION_HEADER, new byte[] {0, 0, 0, 3},
            EnvelopeSignature.CORRELATION_ID_HEADER, new byte[16]));

    @Test
    void shouldVerifyWhatItSigned() {
        String sig = signature.sign(Kind.COMMAND, "t/p/l", value, headers::get);

        assertThat(signature.verify(Kind.COMMAND, "k2", sig, "t/p/l", value, headers::get))
                .isTrue();
    }

    @Test
    void shouldRefuseUnknownKeyIdAndGarbage() {
        String sig = signature.sign(Kind.COMMAND, "t/p/l", value, headers::get);

        assertThat(signature.verify(Kind.COMMAND, "k1", sig, "t/p/l", value, headers::get))
                .isFalse();
        assertThat(signature.verify(Kind.COMMAND, "k9", sig, "t/p/l", value, headers::get))
                .isFalse();
        assertThat(signature.verify(Kind.COMMAND, "k2", "%%%not-base64", "t/p/l", value, headers::get))
                .isFalse();
        assertThat(signature.verify(Kind.COMMAND, null, sig, "t/p/l", value, headers::get))
                .isFalse();
        assertThat(signature.verify(Kind.COMMAND, "k2", null, "t/p/l", value, headers::get))
                .isFalse();
    }

    @Test
    void shouldAcceptRecordsSignedWithAnOlderStillValidKey() {
        var previousGateway = new EnvelopeSignature("k1", Map.of("k1", "old-key"));

        String sig = previousGateway.sign(Kind.TENANT, "api-key", value, name -> null);

        assertThat(signature.verify(Kind.TENANT, "k1", sig, "api-key", value, name -> null))
                .isTrue();
    }

    @Test
    void shouldRefuseARecordOfAnotherKindWithTheSameBytes() {
        String reply = signature.sign(Kind.REPLY, "t/p/l", value, headers::get);

        assertThat(signature.verify(
                        Kind.COMMAND,
                        "k2",
                        reply,
                        "t/p/l",
                        value,
                        name -> name.equals(EnvelopeSignature.CORRELATION_ID_HEADER) ? headers.get(name) : null))
                .isFalse();
    }

    @Test
    void shouldRefuseAnotherKeyOrAnAddedRemovedOrChangedHeader() {
        String sig = signature.sign(Kind.COMMAND, "t/p/l", value, headers::get);

        assertThat(signature.verify(Kind.COMMAND, "k2", sig, "t/p/other", value, headers::get))
                .isFalse();
        assertThat(signature.verify(Kind.COMMAND, "k2", sig, null, value, headers::get))
                .isFalse();
        var withTopic = new HashMap<>(headers);
        withTopic.put(EnvelopeSignature.REPLY_TOPIC_HEADER, bytes(Topics.TENANTS));
        assertThat(signature.verify(Kind.COMMAND, "k2", sig, "t/p/l", value, withTopic::get))
                .isFalse();
        var withoutReply = new HashMap<>(headers);
        withoutReply.remove(EnvelopeSignature.CORRELATION_ID_HEADER);
        assertThat(signature.verify(Kind.COMMAND, "k2", sig, "t/p/l", value, withoutReply::get))
                .isFalse();
        var otherPartition = new HashMap<>(headers);
        otherPartition.put(EnvelopeSignature.REPLY_PARTITION_HEADER, new byte[] {0, 0, 0, 4});
        assertThat(signature.verify(Kind.COMMAND, "k2", sig, "t/p/l", value, otherPartition::get))
                .isFalse();
    }

    @Test
    void shouldTellATombstoneFromAnEmptyValue() {
        String tombstone = signature.sign(Kind.TENANT, "api-key", null, name -> null);

        assertThat(signature.verify(Kind.TENANT, "k2", tombstone, "api-key", null, name -> null))
                .isTrue();
        assertThat(signature.verify(Kind.TENANT, "k2", tombstone, "api-key", new byte[0], name -> null))
                .isFalse();
    }

    @Property(tries = 200)
    void shouldRefuseAnyTamperedValue(@ForAll byte[] payload, @ForAll int position, @ForAll byte flip) {
        if (payload.length == 0 || flip == 0) {
            return;
        }
        String sig = signature.sign(Kind.COMMAND, "k", payload, headers::get);
        byte[] tampered = payload.clone();
        int index = Math.floorMod(position, payload.length);
        tampered[index] = (byte) (tampered[index] ^ flip);

        assertThat(signature.verify(Kind.COMMAND, "k2", sig, "k", tampered, headers::get))
                .isFalse();
    }

    @Property(tries = 200)
    void shouldNeverConfuseWhereKeyEndsAndValueBegins(@ForAll("splits") String[] split) {
        String sig = signature.sign(Kind.TENANT, split[0], bytes(split[1]), name -> null);

        assertThat(signature.verify(
                        Kind.TENANT,
                        "k2",
                        sig,
                        split[0] + "x",
                        bytes(split[1].substring(Math.min(1, split[1].length()))),
                        name -> null))
                .isFalse();
    }

    @Provide
    Arbitrary<String[]> splits() {
        return Arbitraries.strings().ofMaxLength(20).tuple2().map(t -> new String[] {t.get1(), "x" + t.get2()});
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
