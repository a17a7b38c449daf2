package io.tally.gateway.management;

import io.tally.gateway.api.ApiError;
import io.tally.gateway.api.ApiException;
import io.tally.gateway.tenant.TenantKeys;
import io.tally.gateway.tenant.TenantRateLimits;
import io.tally.protocol.TenantCredentials;
import org.springframework.stereotype.Component;

/**
 * Authenticates a Management API call by {@code Authorization: Api-Key <management key>} and counts it against the
 * tenant's request rate. Thread-safe.
 */
@Component
class ManagementAuthentication {

    private final TenantKeys tenants;
    private final TenantRateLimits rateLimits;

    ManagementAuthentication(TenantKeys tenants, TenantRateLimits rateLimits) {
        this.tenants = tenants;
        this.rateLimits = rateLimits;
    }

    /** The tenant the key belongs to; 401 without a key or with an unknown one, 429 over the tenant's rate. */
    TenantCredentials authenticate(String authorization) {
        if (authorization == null || !authorization.startsWith("Api-Key ")) {
            throw new ApiException(
                    new ApiError(401, "not_authenticated", "Authorization: Api-Key <management key> is required"));
        }
        TenantCredentials tenant = tenants.byManagementKey(
                        authorization.substring("Api-Key ".length()).trim())
                .orElseThrow(
                        () -> new ApiException(new ApiError(401, "invalid_management_key", "Invalid management key")));
        rateLimits.admit(tenant.tenantId());
        return tenant;
    }
}
