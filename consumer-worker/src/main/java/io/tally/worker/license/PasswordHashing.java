package io.tally.worker.license;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Stores license users' passwords as PBKDF2-HMAC-SHA256 of the digest the gateway sends (the password itself never
 * reaches the worker), as {@code pbkdf2$<iterations>$<salt>$<hash>}. Deterministic for a stored hash, so it may be
 * used inside the pure decision.
 *
 * <p>A check costs about 2 ms of CPU on the license's ordered path, so verdicts are remembered: a client that retries
 * the same wrong password in a loop costs one hash, not one per attempt (the gateway also limits failed attempts per
 * user, ADR 19). The memory holds neither digests nor hashes, only an HMAC of both under a key that lives and dies with
 * the process. Thread-safe.
 */
public final class PasswordHashing {

    private static final int ITERATIONS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHashing() {}

    public static String hash(String passwordDigest) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return "pbkdf2$" + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(pbkdf2(passwordDigest, salt, ITERATIONS));
    }

    public static boolean matches(String storedHash, String passwordDigest) {
        if (storedHash == null || passwordDigest == null) {
            return false;
        }
        String key = VERDICTS.keyOf(storedHash, passwordDigest);
        Boolean known = VERDICTS.get(key);
        if (known != null) {
            return known;
        }
        boolean verdict = verify(storedHash, passwordDigest);
        VERDICTS.put(key, verdict);
        return verdict;
    }

    private static boolean verify(String storedHash, String passwordDigest) {
        String[] parts = storedHash.split("\\$");
        if (parts.length != 4 || !parts[0].equals("pbkdf2")) {
            return false;
        }
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        byte[] actual = pbkdf2(passwordDigest, Base64.getDecoder().decode(parts[2]), Integer.parseInt(parts[1]));
        return MessageDigest.isEqual(expected, actual);
    }

    private static final Verdicts VERDICTS = new Verdicts(10_000);

    /** The last verdicts, by an HMAC of the stored hash and the digest; bounded, least recently used first out. */
    private static final class Verdicts {
        private final int capacity;
        private final javax.crypto.spec.SecretKeySpec key;
        private final java.util.LinkedHashMap<String, Boolean> verdicts;

        Verdicts(int capacity) {
            this.capacity = capacity;
            byte[] secret = new byte[32];
            RANDOM.nextBytes(secret);
            this.key = new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256");
            this.verdicts = new java.util.LinkedHashMap<>(16, 0.75f, true);
        }

        String keyOf(String storedHash, String passwordDigest) {
            try {
                var mac = javax.crypto.Mac.getInstance("HmacSHA256");
                mac.init(key);
                mac.update(storedHash.getBytes(StandardCharsets.UTF_8));
                mac.update((byte) 0);
                return Base64.getEncoder().encodeToString(mac.doFinal(passwordDigest.getBytes(StandardCharsets.UTF_8)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        }

        synchronized Boolean get(String key) {
            return verdicts.get(key);
        }

        synchronized void put(String key, boolean verdict) {
            verdicts.put(key, verdict);
            if (verdicts.size() > capacity) {
                verdicts.remove(verdicts.keySet().iterator().next());
            }
        }
    }

    private static byte[] pbkdf2(String secret, byte[] salt, int iterations) {
        try {
            var spec = new PBEKeySpec(
                    new String(secret.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).toCharArray(),
                    salt,
                    iterations,
                    256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(spec)
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2 unavailable", e);
        }
    }
}
