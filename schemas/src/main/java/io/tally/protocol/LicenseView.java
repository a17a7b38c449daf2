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
    "hardware_id"
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
        String hardwareId) {

    public LicenseView {
        productFeatures = List.copyOf(productFeatures);
    }

    /** The license user of a user-based license. */
    public record User(String email) {}

    @JsonPropertyOrder({"product_id", "product_name", "short_code", "authorization_method"})
    public record ProductDetails(long productId, String productName, String shortCode, String authorizationMethod) {}
}
