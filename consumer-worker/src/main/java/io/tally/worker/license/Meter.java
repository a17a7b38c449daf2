package io.tally.worker.license;

import java.time.Instant;

/**
 * A consumption counter and its rules, for a license or for a license's copy of a feature.
 *
 * @param max consumptions allowed before overages
 * @param total consumptions used in the current period; never negative
 * @param maxOverages extra consumptions when {@code allowOverages}; kept at 0 when overages are off
 * @param period {@code daily}, {@code weekly}, {@code monthly}, {@code annually}, or {@code null}
 * @param periodStart start of the period {@code total} counts, or {@code null} before the first use
 */
public record Meter(
        long max,
        long total,
        boolean allowUnlimited,
        boolean allowNegative,
        boolean allowOverages,
        long maxOverages,
        boolean reset,
        String period,
        Instant periodStart) {

    /** The highest total allowed, or {@link Long#MAX_VALUE} when unlimited. */
    public long limit() {
        if (allowUnlimited) {
            return Long.MAX_VALUE;
        }
        return max + (allowOverages ? maxOverages : 0);
    }

    /**
     * The meter as it stands at {@code acceptedAt}: when it resets by period and {@code acceptedAt} falls in a later
     * period than the one counted, the total starts again from 0. A time in an earlier period changes nothing.
     */
    public Meter at(Instant acceptedAt) {
        if (!reset || period == null) {
            return this;
        }
        Instant current = Periods.startOf(period, acceptedAt);
        if (periodStart == null) {
            return withPeriodStart(current, total);
        }
        if (current.isAfter(periodStart)) {
            return withPeriodStart(current, 0);
        }
        return this;
    }

    /** {@code total + n} as a 64-bit value that cannot overflow for totals below {@code Long.MAX_VALUE / 2}. */
    public long totalAfter(long n) {
        return total + n;
    }

    /** Whether adding {@code n} keeps the total within the limit (reaching it exactly is allowed). */
    public boolean fits(long n) {
        return totalAfter(n) <= limit();
    }

    /** Adds {@code n}; a negative result is clamped to 0. */
    public Meter plus(long n) {
        return withTotal(Math.max(0, totalAfter(n)));
    }

    public Meter withTotal(long newTotal) {
        return new Meter(
                max, newTotal, allowUnlimited, allowNegative, allowOverages, maxOverages, reset, period, periodStart);
    }

    public Meter withOverages(boolean allow, long newMaxOverages) {
        return new Meter(
                max,
                total,
                allowUnlimited,
                allowNegative,
                allow,
                allow ? newMaxOverages : 0,
                reset,
                period,
                periodStart);
    }

    private Meter withPeriodStart(Instant start, long newTotal) {
        return new Meter(
                max, newTotal, allowUnlimited, allowNegative, allowOverages, maxOverages, reset, period, start);
    }

    /** Applies the non-null settings of an override. */
    public Meter with(io.tally.protocol.FeatureSettings settings) {
        boolean overages = settings.allowOverages() != null ? settings.allowOverages() : allowOverages;
        long overageMax = settings.maxOverages() != null ? settings.maxOverages() : maxOverages;
        boolean resets = settings.resetConsumption() != null ? settings.resetConsumption() : reset;
        String newPeriod = settings.consumptionPeriod() != null ? settings.consumptionPeriod() : period;
        return new Meter(
                settings.maxConsumption() != null ? settings.maxConsumption() : max,
                total,
                settings.allowUnlimitedConsumptions() != null ? settings.allowUnlimitedConsumptions() : allowUnlimited,
                settings.allowNegativeConsumptions() != null ? settings.allowNegativeConsumptions() : allowNegative,
                overages,
                overages ? overageMax : 0,
                resets,
                newPeriod,
                periodStart);
    }
}
