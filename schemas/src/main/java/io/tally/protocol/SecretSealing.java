package io.tally.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the secrets Tally's records carry (tenants' shared and private keys, users' passwords) so that a reader of
 * a topic learns nothing from them: AES-256-GCM under a key-encryption key derived (HKDF-SHA256) from an envelope key,
 * so it is given to exactly the services that hold envelope keys and rotates with them, by the same ids (ADR 24).
 *
 * <p>A sealed value is {@code <key id>:<base64 of 12-byte nonce and ciphertext with tag>}. Each is bound to its place
 * by the associated data the caller gives (for example the API key and the field's name), so a sealed value copied
 * into another record or field does not open. Thread-safe.
 */
public final class SecretSealing {

    private static final String INFO = "tally secrets key-encryption key v1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final EnvelopeSignature keys;
    private final Map<String, SecretKeySpec> derived = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /** Keys derived from {@code keys}: seals with its signing key, opens with any of its keys. */
    public SecretSealing(EnvelopeSignature keys) {
        this.keys = keys;
    }

    /** {@code secret} sealed with the current key, bound to {@code context}; {@code null} stays {@code null}. */
    public String seal(String secret, String context) {
        if (secret == null) {
            return null;
        }
        String keyId = keys.signingKeyId();
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(keyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return keyId + ":"
                    + Base64.getEncoder()
                            .encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length)
                                    .put(nonce)
                                    .put(sealed)
                                    .array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * The secret {@link #seal} sealed with {@code context}; {@code null} stays {@code null}.
     *
     * @throws MalformedMessageException when it is not a sealed value, its key id is unknown, or it was altered or
     *     sealed for another context (the message never includes the value)
     */
    public String open(String sealed, String context) {
        if (sealed == null) {
            return null;
        }
        int colon = sealed.lastIndexOf(':');
        if (colon <= 0) {
            throw new MalformedMessageException("not a sealed secret");
        }
        String keyId = sealed.substring(0, colon);
        SecretKeySpec key = key(keyId);
        if (key == null) {
            throw new MalformedMessageException("sealed with unknown key id " + printable(keyId));
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(sealed.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("not a sealed secret");
        }
        if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new MalformedMessageException("not a sealed secret");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new MalformedMessageException("sealed secret altered or sealed for another record");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private SecretKeySpec key(String keyId) {
        SecretKeySpec known = derived.get(keyId);
        if (known != null) {
            return known;
        }
        byte[] material = keys.keyMaterial(keyId);
        if (material == null) {
            return null;
        }
        SecretKeySpec key = new SecretKeySpec(hkdf(material), "AES");
        derived.putIfAbsent(keyId, key);
        return key;
    }

    /** HKDF-SHA256 (RFC 5869) of one 32-byte block, with no salt: the JDK's own KDF API is newer than release 21. */
    private static byte[] hkdf(byte[] inputKey) {
        try {
            Mac extract = Mac.getInstance("HmacSHA256");
            extract.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
            byte[] pseudoRandomKey = extract.doFinal(inputKey);
            Mac expand = Mac.getInstance("HmacSHA256");
            expand.init(new SecretKeySpec(pseudoRandomKey, "HmacSHA256"));
            expand.update(INFO.getBytes(StandardCharsets.UTF_8));
            expand.update((byte) 1);
            return expand.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static String printable(String keyId) {
        return keyId.length() > 32 || !keyId.matches("[A-Za-z0-9_.-]*") ? "(not printable)" : keyId;
    }
}
