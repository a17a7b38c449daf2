package io.tally.gateway.validation;

import java.time.Instant;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The bounds every request value is held to at the gateway ({@code tally.limits.*}), chosen so that anything accepted
 * can be stored by PostgreSQL and answered within the replies topic's message size with room to spare (ADR 19).
 *
 * @param maxText characters of an identifier or text field (keys, codes, names, hardware ids, device fields)
 * @param maxDetailsBytes bytes of a device's details (os_ver, hostname, ..., variables) as JSON
 * @param maxDetailsDepth nesting depth of {@code variables}
 * @param maxDetailsValues values (object members and array elements, counted through every level) in {@code variables}
 * @param maxConsumptions largest {@code consumptions} of one call, either sign
 * @param maxLimit largest {@code max_consumptions}, {@code max_consumption} and {@code max_overages}: totals stay far
 *     from a 64-bit overflow whatever is added to them
 * @param maxActivations largest {@code max_activations}
 * @param earliestDate earliest date-time accepted ({@code validity_period}, usage-history {@code from} and {@code to})
 * @param latestDate latest date-time accepted
 * @param maxOrderLicenses licenses in one order, over all its items
 * @param maxLicenseUsers users of one license in an order
 * @param maxOrderUsers users in one order, over all its licenses: each password is hashed (PBKDF2, about 2 ms) while
 *     the order's batch waits
 * @param maxBatchOperations operations in one {@code POST /api/v4/batch}
 * @param maxHistoryPage entries in one page of usage history
 * @param passwordFailuresPerMinute failed password checks of one license user per minute, through one gateway, before
 *     its activations are answered 429 {@code too_many_attempts} until the minute is over
 * @param maxHistoryOffset largest {@code offset} of a usage-history page: a deeper one would make the worker walk
 *     that many ledger rows on the license's ordered path; narrow the range with {@code to} instead
 */
@ConfigurationProperties("tally.limits")
public record InputLimits(
        @DefaultValue("255") int maxText,
        @DefaultValue("4096") int maxDetailsBytes,
        @DefaultValue("8") int maxDetailsDepth,
        @DefaultValue("100") int maxDetailsValues,
        @DefaultValue("1000000000") long maxConsumptions,
        @DefaultValue("1000000000000000") long maxLimit,
        @DefaultValue("1000000") int maxActivations,
        @DefaultValue("1970-01-01T00:00:00Z") Instant earliestDate,
        @DefaultValue("9999-12-31T23:59:59Z") Instant latestDate,
        @DefaultValue("1000") int maxOrderLicenses,
        @DefaultValue("100") int maxLicenseUsers,
        @DefaultValue("100") int maxOrderUsers,
        @DefaultValue("1000") int maxBatchOperations,
        @DefaultValue("500") int maxHistoryPage,
        @DefaultValue("10000") int maxHistoryOffset,
        @DefaultValue("10") int passwordFailuresPerMinute) {

    /** The defaults, for tests and tools that build a validator without Spring. */
    public static final InputLimits DEFAULTS = new InputLimits(
            255,
            4096,
            8,
            100,
            1_000_000_000L,
            1_000_000_000_000_000L,
            1_000_000,
            Instant.parse("1970-01-01T00:00:00Z"),
            Instant.parse("9999-12-31T23:59:59Z"),
            1000,
            100,
            100,
            1000,
            500,
            10_000,
            10);

    public InputLimits {
        if (maxText < 1 || maxDetailsBytes < 1 || maxDetailsDepth < 1 || maxDetailsValues < 1) {
            throw new IllegalArgumentException("tally.limits: text and details limits must be positive");
        }
        if (maxConsumptions < 1 || maxConsumptions > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tally.limits.max-consumptions must be from 1 to 2147483647");
        }
        if (maxLimit < 1 || maxLimit > Long.MAX_VALUE / 4) {
            throw new IllegalArgumentException("tally.limits.max-limit must be from 1 to " + Long.MAX_VALUE / 4);
        }
        if (!earliestDate.isBefore(latestDate)
                || earliestDate.isBefore(Instant.parse("0001-01-01T00:00:00Z"))
                || latestDate.isAfter(Instant.parse("9999-12-31T23:59:59Z"))) {
            throw new IllegalArgumentException(
                    "tally.limits: earliest-date must be before latest-date, both within years 1 to 9999");
        }
        if (maxOrderLicenses < 1
                || maxLicenseUsers < 1
                || maxOrderUsers < 1
                || maxBatchOperations < 1
                || maxHistoryPage < 1
                || maxHistoryOffset < 0
                || passwordFailuresPerMinute < 1) {
            throw new IllegalArgumentException("tally.limits: order, batch and page limits must be positive");
        }
    }
}
