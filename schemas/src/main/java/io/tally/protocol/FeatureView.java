package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A license's copy of one product feature, in the field order of {@code check_license}'s {@code product_features[]}.
 *
 * @param featureType {@code activation} or {@code consumption}
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
    "consumption_period"
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
        @JsonInclude(JsonInclude.Include.ALWAYS) String consumptionPeriod) {}
