package io.tally.gateway.signing;

import io.tally.gateway.api.ApiJson;
import io.tally.protocol.LicenseView;
import io.tally.protocol.TenantCredentials;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Signs License API answers as LicenseSpring does: a {@code LicenseSignature} header with base64 RSA-SHA256
 * (PKCS#1 v1.5) over the body written in {@link CanonicalJson} form, and, in activation and check bodies, a
 * {@code license_signature} over {@code lower(hardware_id + "#" + license_key_or_username + "#" + validity_period)}.
 * Thread-safe; parsed keys are cached per tenant.
 */
@Component
public class ResponseSigner {

    public static final String HEADER = "LicenseSignature";

    private static final DateTimeFormatter VALIDITY =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final ApiJson json;
    /** A tenant's parsed key, with the PEM it came from: a rotated key is noticed by comparing the PEM. */
    private record ParsedKey(String pem, PrivateKey key) {}

    private final Map<String, ParsedKey> keys = new ConcurrentHashMap<>();

    public ResponseSigner(ApiJson json) {
        this.json = json;
    }

    /** A 200 answer with {@code body} in canonical form and its {@code LicenseSignature}. */
    public ResponseEntity<byte[]> sign(TenantCredentials tenant, Object body) {
        byte[] bytes = CanonicalJson.write(json.mapper(), body);
        var builder = ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON);
        if (tenant.responsePrivateKey() != null) {
            builder.header(HEADER, Base64.getEncoder().encodeToString(rsa(tenant, bytes)));
        }
        return builder.body(bytes);
    }

    /** The check body of {@code license}, with its {@code license_signature} appended. */
    public ObjectNode withLicenseSignature(TenantCredentials tenant, LicenseView license) {
        ObjectNode body = json.mapper().valueToTree(license);
        if (license.validityPeriod() != null) {
            body.put("validity_period", VALIDITY.format(license.validityPeriod()));
        }
        String subject = license.licenseKey() != null
                ? license.licenseKey()
                : license.user().email();
        String validity = license.validityPeriod() == null ? "" : VALIDITY.format(license.validityPeriod());
        String signed = (license.hardwareId() + "#" + subject + "#" + validity).toLowerCase(Locale.ROOT);
        body.put(
                "license_signature",
                tenant.responsePrivateKey() == null
                        ? ""
                        : Base64.getEncoder().encodeToString(rsa(tenant, signed.getBytes(StandardCharsets.UTF_8))));
        return body;
    }

    private byte[] rsa(TenantCredentials tenant, byte[] data) {
        ParsedKey parsed = keys.get(tenant.tenantId());
        if (parsed == null || !parsed.pem().equals(tenant.responsePrivateKey())) {
            parsed = new ParsedKey(tenant.responsePrivateKey(), RsaSigning.privateKey(tenant.responsePrivateKey()));
            keys.put(tenant.tenantId(), parsed);
        }
        return RsaSigning.sign(parsed.key(), data);
    }
}
