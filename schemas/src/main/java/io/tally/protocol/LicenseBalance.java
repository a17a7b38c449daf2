package io.tally.protocol;

import java.time.Instant;
import java.util.List;

/**
 * The latest totals of one license and its features, on the compacted {@link Topics#BALANCES} (key = the license's
 * partition key, as its commands): compaction keeps the newest per license, so reading the topic from the beginning
 * gives every license's current balance. Written in the same Kafka transaction as the events of the batch that changed
 * the license; a replayed batch writes the same balance again.
 *
 * @param version the license's version in PostgreSQL (grows with every change; a reader keeps the highest it saw)
 * @param maxConsumptions the license's limit; with {@code allowUnlimitedConsumptions} it is not enforced
 * @param maxOverages how far past {@code maxConsumptions} the total may go when overages are allowed, else 0
 * @param features every feature of the license, by code order
 * @param updatedAt when the worker decided the last command that changed it
 * @param floatingUsers for a floating-cloud license, how many devices may hold a seat at once; else absent
 * @param floatingInUseDevices for a floating-cloud license, devices holding a seat as of {@code updatedAt}; else
 *     absent. Seats that end while no device calls are freed by the worker's expiry run within a minute, which writes
 *     a new balance
 */
public record LicenseBalance(
        String tenantId,
        String product,
        String licenseKey,
        String username,
        long licenseId,
        long version,
        long totalConsumptions,
        long maxConsumptions,
        boolean allowUnlimitedConsumptions,
        long maxOverages,
        List<FeatureBalance> features,
        Instant updatedAt,

        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        Integer floatingUsers,

        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        Integer floatingInUseDevices) {

    public LicenseBalance {
        features = List.copyOf(features);
    }

    /** One feature's totals (and a floating feature's seats) within a {@link LicenseBalance}. */
    public record FeatureBalance(
            String code,
            long totalConsumptions,
            long maxConsumption,
            boolean allowUnlimitedConsumptions,
            long maxOverages,

            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            Integer floatingUsers,

            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            Integer floatingInUseDevices) {}
}
