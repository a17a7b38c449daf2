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
        String[] parts = storedHash.split("\\$");
        if (parts.length != 4 || !parts[0].equals("pbkdf2")) {
            return false;
        }
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        byte[] actual = pbkdf2(passwordDigest, Base64.getDecoder().decode(parts[2]), Integer.parseInt(parts[1]));
        return MessageDigest.isEqual(expected, actual);
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
