package io.tally.protocol;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies the bytes of a command on {@link Topics#COMMANDS}: HMAC-SHA256 with a key shared by gateways and
 * workers, the key's id carried in {@link #KEY_ID_HEADER} so that keys can be rotated (several valid at once).
 *
 * <p>The worker trusts nothing it cannot verify: a record without a valid signature is never applied. Thread-safe.
 */
public final class EnvelopeSignature {

    public static final String KEY_ID_HEADER = "tally-key-id";
    public static final String SIGNATURE_HEADER = "tally-signature";

    private static final String ALGORITHM = "HmacSHA256";

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

    /** Base64 signature of {@code payload} with the current signing key. */
    public String sign(byte[] payload) {
        return Base64.getEncoder().encodeToString(mac(keysById.get(signingKeyId), payload));
    }

    /**
     * Whether {@code signature} is a valid signature of {@code payload} by the key {@code keyId}. Compares in constant
     * time; an unknown key id or an undecodable signature is simply invalid.
     */
    public boolean verify(String keyId, String signature, byte[] payload) {
        if (keyId == null || signature == null || payload == null) {
            return false;
        }
        SecretKeySpec key = keysById.get(keyId);
        if (key == null) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(key, payload), given);
    }

    private static byte[] mac(SecretKeySpec key, byte[] payload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(payload);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
