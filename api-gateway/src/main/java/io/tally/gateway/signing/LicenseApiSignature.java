package io.tally.gateway.signing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The License API request signature: {@code base64(HMAC-SHA256(shared key, "licenseSpring\ndate: " + Date))}, computed
 * over the Date header exactly as received.
 */
public final class LicenseApiSignature {

    private LicenseApiSignature() {}

    public static String sign(String sharedKey, String dateHeader) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(sharedKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder()
                    .encodeToString(mac.doFinal(signingString(dateHeader).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Compares in constant time, so the time taken says nothing about how much of a forged signature was right. */
    static boolean matches(String sharedKey, String dateHeader, String signature) {
        return MessageDigest.isEqual(
                sign(sharedKey, dateHeader).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    static String signingString(String dateHeader) {
        return "licenseSpring\ndate: " + dateHeader;
    }
}
