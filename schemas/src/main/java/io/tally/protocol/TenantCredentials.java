package io.tally.protocol;

import java.util.Objects;

/**
 * The keys of one tenant, on the compacted {@link Topics#TENANTS} topic keyed by {@code apiKey}. Gateways hold no
 * database: they authenticate License API calls against the latest record per API key. A tenant has a record per API
 * key (several while keys are rotated); a revoked key keeps its record, with {@code revoked}, so that calls signed with
 * it are told {@code revoked_api_key}. A tombstone (null value) forgets the key.
 *
 * <p>The record carries secrets: the topic must be readable only by Tally's own services.
 *
 * @param tenantId the tenant ("company") the keys belong to
 * @param apiKey public identifier sent by clients in {@code Authorization}
 * @param sharedKey HMAC key for License API request signatures
 * @param managementKey key for the Management API ({@code Authorization: Api-Key ...})
 * @param responsePrivateKey PEM (PKCS#8) RSA key that signs License API responses
 * @param responsePublicKey PEM (X.509) public half, served at {@code /api/v4/public_key}
 * @param revoked the API key is revoked
 */
public record TenantCredentials(
        String tenantId,
        String apiKey,
        String sharedKey,
        String managementKey,
        String responsePrivateKey,
        String responsePublicKey,
        boolean revoked) {

    public TenantCredentials {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(sharedKey, "sharedKey");
        Objects.requireNonNull(managementKey, "managementKey");
    }

    /** Keys of an API key that is not revoked. */
    public TenantCredentials(
            String tenantId,
            String apiKey,
            String sharedKey,
            String managementKey,
            String responsePrivateKey,
            String responsePublicKey) {
        this(tenantId, apiKey, sharedKey, managementKey, responsePrivateKey, responsePublicKey, false);
    }

    /** The same tenant's keys with another API key and its shared key (a second key during a rotation). */
    public TenantCredentials withApiKey(String otherApiKey, String otherSharedKey, boolean otherRevoked) {
        return new TenantCredentials(
                tenantId,
                otherApiKey,
                otherSharedKey,
                managementKey,
                responsePrivateKey,
                responsePublicKey,
                otherRevoked);
    }

    /** Keys without a response-signing pair yet (the worker adds one when it registers the tenant). */
    public TenantCredentials(String tenantId, String apiKey, String sharedKey, String managementKey) {
        this(tenantId, apiKey, sharedKey, managementKey, null, null);
    }

    /** Never prints the keys. */
    @Override
    public String toString() {
        return "TenantCredentials[tenantId=" + tenantId + ", apiKey=" + apiKey + (revoked ? ", revoked" : "") + "]";
    }
}
