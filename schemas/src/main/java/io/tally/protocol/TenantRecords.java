package io.tally.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Makes and reads the records of {@link Topics#TENANTS}: every one signed ({@link EnvelopeSignature.Kind#TENANT}),
 * tombstones included, its secrets sealed and its management key only as a digest ({@link SealedTenant}), so that a
 * reader of the topic learns no secret and a writer without an envelope key changes nothing. Thread-safe.
 */
public final class TenantRecords {

    private final EnvelopeSignature signature;
    private final SecretSealing sealing;
    private final ProtocolCodec codec;

    public TenantRecords(EnvelopeSignature signature, ProtocolCodec codec) {
        this.signature = signature;
        this.sealing = new SecretSealing(signature);
        this.codec = codec;
    }

    /** The signed record of {@code credentials}, keyed by its API key. */
    public ProducerRecord<String, byte[]> record(TenantCredentials credentials) {
        String apiKey = credentials.apiKey();
        var sealed = new SealedTenant(
                credentials.tenantId(),
                apiKey,
                sealing.seal(credentials.sharedKey(), context(apiKey, "shared_key")),
                credentials.managementKeySha256(),
                sealing.seal(credentials.responsePrivateKey(), context(apiKey, "response_private_key")),
                credentials.responsePublicKey(),
                credentials.revoked());
        return signature.signRecord(
                EnvelopeSignature.Kind.TENANT,
                new ProducerRecord<>(Topics.TENANTS, apiKey, codec.encodeTenant(sealed)));
    }

    /** The signed tombstone that makes readers forget {@code apiKey}. */
    public ProducerRecord<String, byte[]> tombstone(String apiKey) {
        return signature.signRecord(EnvelopeSignature.Kind.TENANT, new ProducerRecord<>(Topics.TENANTS, apiKey, null));
    }

    /**
     * The credentials {@code record} carries, verified and opened, with the management key only as its digest (the
     * only form the topic has); empty for a tombstone.
     *
     * @throws ForgedRecordException when its signature is missing or wrong
     * @throws MalformedMessageException when it is signed but unreadable (another schema, a secret that does not open)
     */
    public Optional<TenantCredentials> read(ConsumerRecord<String, byte[]> record) {
        String problem = signature.problemWith(EnvelopeSignature.Kind.TENANT, record);
        if (problem != null) {
            throw new ForgedRecordException(problem);
        }
        if (record.value() == null) {
            return Optional.empty();
        }
        SealedTenant sealed = codec.decodeTenant(record.value());
        if (!sealed.apiKey().equals(record.key())) {
            throw new MalformedMessageException("record key is not the record's api_key");
        }
        return Optional.of(TenantCredentials.stored(
                sealed.tenantId(),
                sealed.apiKey(),
                sealing.open(sealed.sharedKeySealed(), context(sealed.apiKey(), "shared_key")),
                sealed.managementKeySha256(),
                sealing.open(sealed.responsePrivateKeySealed(), context(sealed.apiKey(), "response_private_key")),
                sealed.responsePublicKey(),
                sealed.revoked()));
    }

    /** Lower-case hex SHA-256 of {@code managementKey}: what the topic carries and a gateway compares. */
    public static String managementKeyDigest(String managementKey) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(managementKey.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static String context(String apiKey, String field) {
        return Topics.TENANTS + "/" + apiKey + "/" + field;
    }
}
