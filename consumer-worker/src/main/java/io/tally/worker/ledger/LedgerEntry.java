package io.tally.worker.ledger;

import io.tally.protocol.CommandResult;
import java.time.Instant;
import java.util.UUID;

/**
 * One command as decided.
 *
 * @param outcome the result's type ({@code LicenseConsumed}, {@code CommandRejected}, ...) or {@code Replayed} when an
 *     Idempotency-Key retry was answered with an earlier command's result
 * @param totalBefore the consumed meter's total before, for consumption commands
 */
public record LedgerEntry(
        UUID commandId,
        String tenantId,
        Long licenseId,
        String commandType,
        String hardwareId,
        String feature,
        Integer consumptions,
        String outcome,
        String rejectionCode,
        Long totalBefore,
        Long totalAfter,
        Instant acceptedAt,
        Instant appliedAt,
        int partition,
        long offset,
        CommandResult result) {

    public static final String REPLAYED = "Replayed";
}
