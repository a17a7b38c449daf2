package io.tally.protocol;

import java.util.Objects;

/**
 * Names one license the way License API callers do: a product short code and either a license key (key-based
 * products) or a username (user-based products).
 *
 * @param product product short code
 * @param licenseKey license key, or {@code null} for a user-based product
 * @param username license user, or {@code null} for a key-based product
 */
public record LicenseRef(String product, String licenseKey, String username) {

    public LicenseRef {
        Objects.requireNonNull(product, "product");
        if ((licenseKey == null) == (username == null)) {
            throw new IllegalArgumentException("exactly one of licenseKey and username must be given");
        }
    }

    /**
     * The Kafka record key: every command of one license carries the same key, so all of them land on one partition
     * and are applied in the order they were accepted.
     */
    public String partitionKey(String tenantId) {
        return tenantId + "/" + product + "/" + (licenseKey != null ? licenseKey : "user:" + username);
    }
}
