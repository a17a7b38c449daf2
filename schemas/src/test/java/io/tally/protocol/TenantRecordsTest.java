package io.tally.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class TenantRecordsTest {

    private static final String PRIVATE_KEY =
            "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END" + " PRIVATE KEY-----\n";
    private static final TenantCredentials TENANT = new TenantCredentials(
            "acme", "api-key-1", "shared-secret-1", "management-secret-1", PRIVATE_KEY, "-----BEGIN PUBLIC KEY-----");

    private final EnvelopeSignature envelope = new EnvelopeSignature("k1", Map.of("k1", "envelope-key-one"));
    private final TenantRecords records = new TenantRecords(envelope, new ProtocolCodec());

    @Test
    void shouldReadBackWhatItWroteWithTheManagementKeyAsItsDigest() {
        var record = records.record(TENANT);

        assertThat(records.read(consumed(record)))
                .contains(TenantCredentials.stored(
                        "acme",
                        "api-key-1",
                        "shared-secret-1",
                        TenantRecords.managementKeyDigest("management-secret-1"),
                        PRIVATE_KEY,
                        "-----BEGIN PUBLIC KEY-----",
                        false));
    }

    @Test
    void shouldCarryNoSecretInTheClearAndMatchItsSchema() {
        byte[] value = records.record(TENANT).value();
        String text = new String(value, StandardCharsets.UTF_8);

        assertThat(text).doesNotContain("shared-secret-1", "management-secret-1", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC");
        assertThat(ProtocolCodecTest.errors("tally.tenants.v2.json", value)).isEmpty();
    }

    @Test
    void shouldRefuseARecordNotSignedWithAnEnvelopeKey() {
        var forger = new TenantRecords(
                new EnvelopeSignature("k1", Map.of("k1", "a-key-tally-never-had")), new ProtocolCodec());

        assertThatThrownBy(() -> records.read(consumed(forger.record(TENANT))))
                .isInstanceOf(ForgedRecordException.class);
        assertThatThrownBy(() -> records.read(consumed(forger.tombstone("api-key-1"))))
                .isInstanceOf(ForgedRecordException.class);
        assertThatThrownBy(() -> records.read(new ConsumerRecord<>(
                        Topics.TENANTS,
                        0,
                        0,
                        "api-key-1",
                        records.record(TENANT).value())))
                .isInstanceOf(ForgedRecordException.class);
    }

    @Test
    void shouldRefuseARecordCopiedUnderAnotherApiKey() {
        var record = records.record(TENANT);
        var copy = new ProducerRecord<>(Topics.TENANTS, null, "api-key-2", record.value(), record.headers());

        assertThatThrownBy(() -> records.read(consumed(copy))).isInstanceOf(ForgedRecordException.class);
    }

    @Test
    void shouldReadASignedTombstoneAsEmpty() {
        assertThat(records.read(consumed(records.tombstone("api-key-1")))).isEqualTo(Optional.empty());
    }

    @Test
    void shouldDigestTheManagementKeyAsHexSha256() {
        assertThat(TenantRecords.managementKeyDigest("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> record) {
        return new ConsumerRecord<>(
                record.topic(),
                0,
                0L,
                0L,
                TimestampType.CREATE_TIME,
                0,
                0,
                record.key(),
                record.value(),
                new RecordHeaders(record.headers().toArray()),
                Optional.empty());
    }
}
