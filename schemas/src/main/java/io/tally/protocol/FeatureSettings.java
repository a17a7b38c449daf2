package io.tally.protocol;

/**
 * Consumption settings of a feature, each optional: {@code null} means "as the product (or the current value) says".
 *
 * @param consumptionPeriod {@code daily}, {@code weekly}, {@code monthly}, {@code annually}, or {@code null}
 */
public record FeatureSettings(
        Long maxConsumption,
        Boolean allowOverages,
        Long maxOverages,
        Boolean allowUnlimitedConsumptions,
        Boolean allowNegativeConsumptions,
        Boolean resetConsumption,
        String consumptionPeriod) {

    public static FeatureSettings none() {
        return new FeatureSettings(null, null, null, null, null, null, null);
    }
}
