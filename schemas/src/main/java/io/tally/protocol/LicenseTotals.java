package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The consumption settings and totals of one license after a command, in the field order of the License API's
 * {@code add_consumption} answer.
 *
 * @param consumptionPeriod {@code daily}, {@code weekly}, {@code monthly}, {@code annually}, or {@code null}
 */
@JsonPropertyOrder({
    "id",
    "max_consumptions",
    "total_consumptions",
    "allow_unlimited_consumptions",
    "allow_negative_consumptions",
    "allow_overages",
    "max_overages",
    "reset_consumption",
    "consumption_period"
})
public record LicenseTotals(
        long id,
        long maxConsumptions,
        long totalConsumptions,
        boolean allowUnlimitedConsumptions,
        boolean allowNegativeConsumptions,
        boolean allowOverages,
        long maxOverages,
        boolean resetConsumption,
        @JsonInclude(JsonInclude.Include.ALWAYS) String consumptionPeriod) {}
