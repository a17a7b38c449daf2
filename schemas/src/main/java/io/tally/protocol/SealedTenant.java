package io.tally.protocol;

/**
 * One API key of a tenant as {@link Topics#TENANTS} carries it: no secret in the clear. The shared key and the private
 * key are sealed ({@link SecretSealing}, bound to the API key and the field), the management key is only its SHA-256,
 * against which a gateway checks the key a caller presents. Made and read through {@link TenantRecords}.
 *
 * @param tenantId the tenant ("company") the keys belong to
 * @param apiKey public identifier sent by clients in {@code Authorization}; the record's key too
 * @param sharedKeySealed the HMAC key of License API request signatures, sealed
 * @param managementKeySha256 lower-case hex SHA-256 of the UTF-8 management key
 * @param responsePrivateKeySealed PEM (PKCS#8) RSA key that signs License API responses, sealed; null until made
 * @param responsePublicKey PEM (X.509) public half, served at {@code /api/v4/public_key}; null until made
 * @param revoked the API key is revoked
 */
public record SealedTenant(
        String tenantId,
        String apiKey,
        String sharedKeySealed,
        String managementKeySha256,
        String responsePrivateKeySealed,
        String responsePublicKey,
        boolean revoked) {}
