package io.tally.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Signs and verifies Tally's own records: HMAC-SHA256 with a key shared by gateways, workers and the operators' tool,
 * the key's id carried in {@link #KEY_ID_HEADER} so that keys can be rotated (several valid at once).
 *
 * <p>A signature covers everything a reader acts on, not only the value: the {@link Kind} of record (so a command's
 * signature is never a reply's), the key id, the record key (which decides the partition, so the order a license's
 * commands are applied in) and every header of {@link Kind#coveredHeaders()} (where a reply goes and what it answers).
 * Present and absent headers differ; of a header given twice the last counts, as for every reader of Tally's records.
 * A copied record with any of them changed does not verify.
 *
 * <p>The readers trust nothing they cannot verify: a command without a valid signature is never applied, a reply or a
 * tenants record without one never used. Thread-safe.
 */
public final class EnvelopeSignature {

    public static final String KEY_ID_HEADER = "tally-key-id";
    public static final String SIGNATURE_HEADER = "tally-signature";
    /** The gateway's request id, by which logs and dead letters name a command. */
    public static final String COMMAND_ID_HEADER = "tally-command-id";
    /** Spring Kafka's header names ({@code KafkaHeaders}), spelled here since this module does not depend on it. */
    public static final String REPLY_TOPIC_HEADER = "kafka_replyTopic";

    public static final String REPLY_PARTITION_HEADER = "kafka_replyPartition";
    public static final String CORRELATION_ID_HEADER = "kafka_correlationId";

    private static final String ALGORITHM = "HmacSHA256";

    /** What a signed record is; part of what is signed. */
    public enum Kind {
        /** A record of {@link Topics#COMMANDS}. */
        COMMAND(List.of(COMMAND_ID_HEADER, REPLY_TOPIC_HEADER, REPLY_PARTITION_HEADER, CORRELATION_ID_HEADER)),
        /** A record of {@link Topics#REPLIES}. */
        REPLY(List.of(CORRELATION_ID_HEADER)),
        /** A record of {@link Topics#TENANTS}, tombstones included. */
        TENANT(List.of());

        private final List<String> coveredHeaders;
        private final byte[] label;

        Kind(List<String> coveredHeaders) {
            this.coveredHeaders = coveredHeaders;
            this.label =
                    ("tally/" + name().toLowerCase(java.util.Locale.ROOT) + "/v2").getBytes(StandardCharsets.UTF_8);
        }

        /** The headers a signature of this kind covers, in the order they are signed. */
        public List<String> coveredHeaders() {
            return coveredHeaders;
        }
    }

    private final String signingKeyId;
    private final Map<String, SecretKeySpec> keysById;

    /**
     * @param signingKeyId the id of the key new envelopes are signed with; must be in {@code keysById}
     * @param keysById every key accepted when verifying, by id
     */
    public EnvelopeSignature(String signingKeyId, Map<String, String> keysById) {
        Objects.requireNonNull(signingKeyId, "signingKeyId");
        if (!keysById.containsKey(signingKeyId)) {
            throw new IllegalArgumentException("no key with id " + signingKeyId);
        }
        this.signingKeyId = signingKeyId;
        this.keysById = keysById.entrySet().stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(
                        Map.Entry::getKey,
                        entry -> new SecretKeySpec(entry.getValue().getBytes(StandardCharsets.UTF_8), ALGORITHM)));
    }

    public String signingKeyId() {
        return signingKeyId;
    }

    /** The raw bytes of key {@code keyId}, for keys derived from it ({@link SecretSealing}); {@code null} if unknown. */
    byte[] keyMaterial(String keyId) {
        SecretKeySpec key = keysById.get(keyId);
        return key == null ? null : key.getEncoded();
    }

    java.util.Set<String> keyIds() {
        return keysById.keySet();
    }

    /**
     * Base64 signature, with the current signing key, of a record of {@code kind} keyed {@code key} (may be null) with
     * {@code value} (null for a tombstone) and the covered headers' values as {@code header} gives them (null when
     * absent).
     */
    public String sign(Kind kind, String key, byte[] value, Function<String, byte[]> header) {
        return Base64.getEncoder()
                .encodeToString(mac(keysById.get(signingKeyId), kind, signingKeyId, key, value, header));
    }

    /**
     * Whether {@code signature} is valid for the record as {@link #sign} describes it, by the key {@code keyId}.
     * Compares in constant time; an unknown key id or an undecodable signature is simply invalid.
     */
    public boolean verify(
            Kind kind, String keyId, String signature, String key, byte[] value, Function<String, byte[]> header) {
        if (keyId == null || signature == null) {
            return false;
        }
        SecretKeySpec secret = keysById.get(keyId);
        if (secret == null) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(secret, kind, keyId, key, value, header), given);
    }

    private static byte[] mac(
            SecretKeySpec secret, Kind kind, String keyId, String key, byte[] value, Function<String, byte[]> header) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(secret);
            // Each part length-prefixed (-1 when absent), so no two different records give the same bytes.
            part(mac, kind.label);
            part(mac, keyId.getBytes(StandardCharsets.UTF_8));
            part(mac, key == null ? null : key.getBytes(StandardCharsets.UTF_8));
            part(mac, value);
            for (String name : kind.coveredHeaders) {
                part(mac, header.apply(name));
            }
            return mac.doFinal();
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /**
     * Signs {@code record} as a record of {@code kind}, from its key, value and covered headers as they are now: adds
     * {@link #KEY_ID_HEADER} and {@link #SIGNATURE_HEADER}. Set every covered header before.
     */
    public <R extends ProducerRecord<String, byte[]>> R signRecord(Kind kind, R record) {
        String sig = sign(kind, record.key(), record.value(), name -> last(record.headers(), name));
        record.headers().add(KEY_ID_HEADER, signingKeyId.getBytes(StandardCharsets.UTF_8));
        record.headers().add(SIGNATURE_HEADER, sig.getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /**
     * Why {@code record} is not a valid record of {@code kind} (never including a signature), or {@code null} when it
     * is.
     */
    public String problemWith(Kind kind, ConsumerRecord<String, byte[]> record) {
        byte[] keyId = last(record.headers(), KEY_ID_HEADER);
        byte[] sig = last(record.headers(), SIGNATURE_HEADER);
        if (keyId == null || sig == null) {
            return "unsigned: no " + KEY_ID_HEADER + " or " + SIGNATURE_HEADER;
        }
        String id = new String(keyId, StandardCharsets.UTF_8);
        if (!verify(
                kind,
                id,
                new String(sig, StandardCharsets.UTF_8),
                record.key(),
                record.value(),
                name -> last(record.headers(), name))) {
            // The value, the key or a routing header is not as signed, or the key is not one this reader has.
            return "bad signature (key id " + (id.length() <= 32 && id.matches("[A-Za-z0-9_.-]*") ? id : "unprintable")
                    + ")";
        }
        return null;
    }

    private static byte[] last(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : header.value();
    }

    private static void part(Mac mac, byte[] bytes) {
        mac.update(
                ByteBuffer.allocate(4).putInt(bytes == null ? -1 : bytes.length).array());
        if (bytes != null) {
            mac.update(bytes);
        }
    }
}
