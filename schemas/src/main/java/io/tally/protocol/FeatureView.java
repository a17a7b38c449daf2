package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A license's copy of one product feature, in the field order of {@code check_license}'s {@code product_features[]}.
 *
 * @param featureType {@code activation} or {@code consumption}
 * @param isFloatingCloud {@code true} for a floating-cloud feature, whose other floating fields are then set; absent
 *     (all four) for other features
 * @param floatingTimeout minutes a seat is held after its device's last check
 * @param floatingInUseDevices devices holding a seat on it now
 */
@JsonPropertyOrder({
    "code",
    "name",
    "feature_type",
    "max_consumption",
    "total_consumptions",
    "allow_overages",
    "max_overages",
    "allow_unlimited_consumptions",
    "allow_negative_consumptions",
    "reset_consumption",
    "consumption_period",
    "is_floating_cloud",
    "floating_users",
    "floating_timeout",
    "floating_in_use_devices"
})
public record FeatureView(
        String code,
        String name,
        String featureType,
        long maxConsumption,
        long totalConsumptions,
        boolean allowOverages,
        long maxOverages,
        boolean allowUnlimitedConsumptions,
        boolean allowNegativeConsumptions,
        boolean resetConsumption,
        @JsonInclude(JsonInclude.Include.ALWAYS) String consumptionPeriod,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean isFloatingCloud,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer floatingUsers,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer floatingTimeout,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer floatingInUseDevices) {

    /** A feature that is not floating. */
    public FeatureView(
            String code,
            String name,
            String featureType,
            long maxConsumption,
            long totalConsumptions,
            boolean allowOverages,
            long maxOverages,
            boolean allowUnlimitedConsumptions,
            boolean allowNegativeConsumptions,
            boolean resetConsumption,
            String consumptionPeriod) {
        this(
                code,
                name,
                featureType,
                maxConsumption,
                totalConsumptions,
                allowOverages,
                maxOverages,
                allowUnlimitedConsumptions,
                allowNegativeConsumptions,
                resetConsumption,
                consumptionPeriod,
                null,
                null,
                null,
                null);
    }
}
