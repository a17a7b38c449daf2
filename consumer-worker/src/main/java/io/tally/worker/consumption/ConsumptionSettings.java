package io.tally.worker.consumption;

/**
 * The consumption counters and rules of one license.
 *
 * @param maxConsumptions consumptions allowed before overages
 * @param totalConsumptions consumptions used; never negative
 * @param maxOverages extra consumptions when {@code allowOverages}; kept at 0 when overages are off
 * @param consumptionPeriod {@code daily}, {@code weekly}, {@code monthly}, {@code annually}, or {@code null}
 */
record ConsumptionSettings(
        long maxConsumptions,
        long totalConsumptions,
        boolean allowUnlimitedConsumptions,
        boolean allowNegativeConsumptions,
        boolean allowOverages,
        long maxOverages,
        boolean resetConsumption,
        String consumptionPeriod) {

    /** The highest total allowed, or {@link Long#MAX_VALUE} when unlimited. */
    long limit() {
        if (allowUnlimitedConsumptions) {
            return Long.MAX_VALUE;
        }
        return maxConsumptions + (allowOverages ? maxOverages : 0);
    }

    ConsumptionSettings withTotal(long total) {
        return new ConsumptionSettings(
                maxConsumptions,
                total,
                allowUnlimitedConsumptions,
                allowNegativeConsumptions,
                allowOverages,
                maxOverages,
                resetConsumption,
                consumptionPeriod);
    }

    ConsumptionSettings withOverages(boolean allow, long max) {
        return new ConsumptionSettings(
                maxConsumptions,
                totalConsumptions,
                allowUnlimitedConsumptions,
                allowNegativeConsumptions,
                allow,
                allow ? max : 0,
                resetConsumption,
                consumptionPeriod);
    }
}
