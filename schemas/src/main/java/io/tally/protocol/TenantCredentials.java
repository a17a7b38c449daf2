package io.tally.protocol;

import java.util.Objects;

/**
 * The keys of one tenant, on the compacted {@link Topics#TENANTS} topic keyed by {@code apiKey}. Gateways hold no
 * database: they authenticate License API calls against the latest record per API key. A tombstone (null value)
 * revokes the key.
 *
 * <p>The record carries secrets: the topic must be readable only by Tally's own services.
 *
 * @param tenantId the tenant ("company") the keys belong to
 * @param apiKey public identifier sent by clients in {@code Authorization}
 * @param sharedKey HMAC key for License API request signatures
 * @param managementKey key for the Management API ({@code Authorization: Api-Key ...})
 * @param responsePrivateKey PEM (PKCS#8) RSA key that signs License API responses
 * @param responsePublicKey PEM (X.509) public half, served at {@code /api/v4/public_key}
 */
public record TenantCredentials(
        String tenantId,
        String apiKey,
        String sharedKey,
        String managementKey,
        String responsePrivateKey,
        String responsePublicKey) {

    public TenantCredentials {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(sharedKey, "sharedKey");
        Objects.requireNonNull(managementKey, "managementKey");
    }

    /** Keys without a response-signing pair yet (the worker adds one when it registers the tenant). */
    public TenantCredentials(String tenantId, String apiKey, String sharedKey, String managementKey) {
        this(tenantId, apiKey, sharedKey, managementKey, null, null);
    }

    /** Never prints the keys. */
    @Override
    public String toString() {
        return "TenantCredentials[tenantId=" + tenantId + ", apiKey=" + apiKey + "]";
    }
}
