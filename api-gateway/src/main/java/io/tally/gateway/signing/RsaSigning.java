package io.tally.gateway.signing;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RSA-SHA256 (PKCS#1 v1.5) signatures, the cost every License API answer pays. Uses the Amazon Corretto Crypto
 * Provider (AWS-LC, native) where it loads, about four times the JDK's rate on x86-64 Linux, and the JDK's provider
 * elsewhere; both produce the same deterministic signature. Thread-safe.
 */
public final class RsaSigning {

    private static final Logger LOGGER = LoggerFactory.getLogger(RsaSigning.class);
    private static final Provider PROVIDER = fastestAvailable();

    private RsaSigning() {}

    public static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature signature = PROVIDER == null
                    ? Signature.getInstance("SHA256withRSA")
                    : Signature.getInstance("SHA256withRSA", PROVIDER);
            signature.initSign(key);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not sign a response", e);
        }
    }

    /** A PKCS#8 PEM private key. */
    public static PrivateKey privateKey(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            KeyFactory factory =
                    PROVIDER == null ? KeyFactory.getInstance("RSA") : KeyFactory.getInstance("RSA", PROVIDER);
            return factory.generatePrivate(
                    new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("unreadable response-signing key", e);
        }
    }

    /** The provider's name, for the start-up log and the benchmark report. */
    public static String providerName() {
        return PROVIDER == null ? "JDK" : PROVIDER.getName();
    }

    private static Provider fastestAvailable() {
        try {
            Throwable problem = AmazonCorrettoCryptoProvider.INSTANCE.getLoadingError();
            if (problem == null) {
                return AmazonCorrettoCryptoProvider.INSTANCE;
            }
            LOGGER.info(
                    "Signing responses with the JDK's RSA: the native provider did not load ({})", problem.toString());
        } catch (LinkageError e) {
            LOGGER.info("Signing responses with the JDK's RSA: the native provider is not on this platform");
        }
        return null;
    }
}
