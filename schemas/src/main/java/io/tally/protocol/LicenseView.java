package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.List;

/**
 * One license as {@code check_license} shows it, in its field order, as seen by the device {@code hardwareId}.
 *
 * @param licenseKey for key-based products; {@code null} otherwise
 * @param user for user-based products; {@code null} otherwise
 * @param deviceId the calling device's id, or {@code null} when it is not known to the license
 * @param validityPeriod end of validity, or {@code null} when the license does not expire
 * @param floating for a floating-cloud license, its seats as the device sees them (flattened into the license's
 *     fields); {@code null} (no such fields) for other licenses
 */
@JsonPropertyOrder({
    "id",
    "license_active",
    "license_enabled",
    "license_type",
    "license_key",
    "user",
    "max_activations",
    "times_activated",
    "is_expired",
    "validity_period",
    "allow_overages",
    "max_overages",
    "max_consumptions",
    "total_consumptions",
    "allow_unlimited_consumptions",
    "allow_negative_consumptions",
    "reset_consumption",
    "consumption_period",
    "product_features",
    "product_details",
    "device_id",
    "hardware_id",
    "is_floating_cloud",
    "floating_users",
    "floating_timeout",
    "floating_in_use_devices",
    "can_borrow",
    "max_borrow_time",
    "is_borrowed",
    "borrowed_until"
})
public record LicenseView(
        long id,
        boolean licenseActive,
        boolean licenseEnabled,
        String licenseType,
        @JsonInclude(JsonInclude.Include.NON_NULL) String licenseKey,
        @JsonInclude(JsonInclude.Include.NON_NULL) User user,
        int maxActivations,
        int timesActivated,
        boolean isExpired,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant validityPeriod,
        boolean allowOverages,
        long maxOverages,
        long maxConsumptions,
        long totalConsumptions,
        boolean allowUnlimitedConsumptions,
        boolean allowNegativeConsumptions,
        boolean resetConsumption,
        @JsonInclude(JsonInclude.Include.ALWAYS) String consumptionPeriod,
        List<FeatureView> productFeatures,
        ProductDetails productDetails,
        @JsonInclude(JsonInclude.Include.ALWAYS) Long deviceId,
        String hardwareId,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean isFloatingCloud,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer floatingUsers,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer floatingTimeout,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer floatingInUseDevices,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean canBorrow,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer maxBorrowTime,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean isBorrowed,
        @JsonInclude(JsonInclude.Include.NON_NULL) Instant borrowedUntil) {

    public LicenseView {
        productFeatures = List.copyOf(productFeatures);
    }

    /**
     * A floating-cloud license's seats as the calling device sees them.
     *
     * @param timeout minutes a seat is held after the device's last check
     * @param inUseDevices devices holding a seat now
     * @param maxBorrowTime the longest borrow, in hours
     * @param borrowedUntil the end of this device's borrow, or {@code null}
     */
    public record Floating(
            int users, int timeout, int inUseDevices, boolean canBorrow, int maxBorrowTime, Instant borrowedUntil) {}

    /** The view with {@code floating}'s fields, or none when it is {@code null}. */
    public static LicenseView of(
            long id,
            boolean licenseActive,
            boolean licenseEnabled,
            String licenseType,
            String licenseKey,
            User user,
            int maxActivations,
            int timesActivated,
            boolean isExpired,
            Instant validityPeriod,
            boolean allowOverages,
            long maxOverages,
            long maxConsumptions,
            long totalConsumptions,
            boolean allowUnlimitedConsumptions,
            boolean allowNegativeConsumptions,
            boolean resetConsumption,
            String consumptionPeriod,
            List<FeatureView> productFeatures,
            ProductDetails productDetails,
            Long deviceId,
            String hardwareId,
            Floating floating) {
        return new LicenseView(
                id,
                licenseActive,
                licenseEnabled,
                licenseType,
                licenseKey,
                user,
                maxActivations,
                timesActivated,
                isExpired,
                validityPeriod,
                allowOverages,
                maxOverages,
                maxConsumptions,
                totalConsumptions,
                allowUnlimitedConsumptions,
                allowNegativeConsumptions,
                resetConsumption,
                consumptionPeriod,
                productFeatures,
                productDetails,
                deviceId,
                hardwareId,
                floating == null ? null : true,
                floating == null ? null : floating.users(),
                floating == null ? null : floating.timeout(),
                floating == null ? null : floating.inUseDevices(),
                floating == null ? null : floating.canBorrow(),
                floating == null ? null : floating.maxBorrowTime(),
                floating == null ? null : floating.borrowedUntil() != null,
                floating == null ? null : floating.borrowedUntil());
    }

    /** The license user of a user-based license. */
    public record User(String email) {}

    @JsonPropertyOrder({"product_id", "product_name", "short_code", "authorization_method"})
    public record ProductDetails(long productId, String productName, String shortCode, String authorizationMethod) {}
}
