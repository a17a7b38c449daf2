package io.tally.protocol;

import java.util.Objects;

/**
 * Names one license the way License API callers do: a product short code and either a license key (key-based
 * products) or a username (user-based products); {@code licenseId} picks one license when a user has several.
 *
 * @param product product short code
 * @param licenseKey license key, or {@code null} for a user-based product
 * @param username license user, or {@code null} for a key-based product
 * @param licenseId when not {@code null}, the license must have this id
 */
public record LicenseRef(String product, String licenseKey, String username, Long licenseId) {

    public LicenseRef {
        Objects.requireNonNull(product, "product");
        if ((licenseKey == null) == (username == null)) {
            throw new IllegalArgumentException("exactly one of licenseKey and username must be given");
        }
    }

    public LicenseRef(String product, String licenseKey, String username) {
        this(product, licenseKey, username, null);
    }

    /**
     * The Kafka record key: every command of one license carries the same key, so all of them land on one partition
     * and are applied in the order they were accepted. A user's licenses of one product share a key (a user-based
     * license has exactly one user), so {@code licenseId} does not take part.
     */
    public String partitionKey(String tenantId) {
        return tenantId + "/" + product + "/" + (licenseKey != null ? licenseKey : "user:" + username);
    }
}
