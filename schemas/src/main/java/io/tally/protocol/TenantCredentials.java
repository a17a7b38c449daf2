package io.tally.protocol;

import java.util.Objects;

/**
 * The keys of one API key of a tenant, in the clear: in memory only. On the compacted {@link Topics#TENANTS} topic,
 * keyed by {@code apiKey}, they travel as a {@link SealedTenant} ({@link TenantRecords}). Gateways hold no database:
 * they authenticate License API calls against the latest record per API key. A tenant has a record per API key
 * (several while keys are rotated); a revoked key keeps its record, with {@code revoked}, so that calls signed with it
 * are told {@code revoked_api_key}. A tombstone (null value) forgets the key.
 *
 * @param tenantId the tenant ("company") the keys belong to
 * @param apiKey public identifier sent by clients in {@code Authorization}
 * @param sharedKey HMAC key for License API request signatures
 * @param managementKey key for the Management API ({@code Authorization: Api-Key ...}) in the clear: known only where
 *     it is issued ({@code tally-ops tenants create}, a test's fixture), {@code null} once stored or published
 * @param managementKeySha256 its digest ({@link TenantRecords#managementKeyDigest}): all the database and the tenants
 *     topic keep, against which gateways check the key a caller presents
 * @param responsePrivateKey PEM (PKCS#8) RSA key that signs License API responses
 * @param responsePublicKey PEM (X.509) public half, served at {@code /api/v4/public_key}
 * @param revoked the API key is revoked
 */
public record TenantCredentials(
        String tenantId,
        String apiKey,
        String sharedKey,
        String managementKey,
        String managementKeySha256,
        String responsePrivateKey,
        String responsePublicKey,
        boolean revoked) {

    /** The digest is made from the management key when only the key is given. */
    public TenantCredentials {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(sharedKey, "sharedKey");
        if (managementKeySha256 == null) {
            Objects.requireNonNull(managementKey, "managementKey or managementKeySha256");
            managementKeySha256 = TenantRecords.managementKeyDigest(managementKey);
        }
    }

    /** Keys as issued, with the management key in the clear. */
    public TenantCredentials(
            String tenantId,
            String apiKey,
            String sharedKey,
            String managementKey,
            String responsePrivateKey,
            String responsePublicKey,
            boolean revoked) {
        this(tenantId, apiKey, sharedKey, managementKey, null, responsePrivateKey, responsePublicKey, revoked);
    }

    /** Keys as stored or published: the management key only as its digest. */
    public static TenantCredentials stored(
            String tenantId,
            String apiKey,
            String sharedKey,
            String managementKeySha256,
            String responsePrivateKey,
            String responsePublicKey,
            boolean revoked) {
        return new TenantCredentials(
                tenantId,
                apiKey,
                sharedKey,
                null,
                Objects.requireNonNull(managementKeySha256, "managementKeySha256"),
                responsePrivateKey,
                responsePublicKey,
                revoked);
    }

    /** Keys of an API key that is not revoked, as issued. */
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
                managementKeySha256,
                responsePrivateKey,
                responsePublicKey,
                otherRevoked);
    }

    /** Keys without a response-signing pair yet (the worker adds one when it registers the tenant), as issued. */
    public TenantCredentials(String tenantId, String apiKey, String sharedKey, String managementKey) {
        this(tenantId, apiKey, sharedKey, managementKey, null, null);
    }

    /** Never prints the keys. */
    @Override
    public String toString() {
        return "TenantCredentials[tenantId=" + tenantId + ", apiKey=" + apiKey + (revoked ? ", revoked" : "") + "]";
    }
}
