package io.tally.worker.batch;

import io.tally.protocol.Command;
import io.tally.protocol.CommandEvent;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.worker.ledger.LedgerEntry;

/**
 * The analytics event of a decided command: a pure function of the command and its ledger entry, so that an event
 * emitted again after a crash is identical to the one that was lost with the aborted transaction.
 */
public final class EventFactory {

    private EventFactory() {}

    public static CommandEvent of(Command command, LedgerEntry entry) {
        LicenseRef license = command instanceof LicenseCommand licenseCommand ? licenseCommand.license() : null;
        Long applied = null;
        if (entry.totalBefore() != null && entry.totalAfter() != null) {
            applied = entry.totalAfter() - entry.totalBefore();
        } else if (entry.consumptions() != null) {
            applied = 0L; // a consumption refused before any meter was read
        }
        return new CommandEvent(
                entry.commandId(),
                entry.commandType(),
                entry.outcome(),
                entry.tenantId(),
                license == null ? null : license.product(),
                license == null ? null : license.licenseKey(),
                license == null ? null : license.username(),
                entry.licenseId(),
                entry.feature(),
                entry.hardwareId(),
                entry.consumptions(),
                applied,
                entry.totalBefore(),
                entry.totalAfter(),
                entry.rejectionCode(),
                entry.acceptedAt(),
                entry.appliedAt(),
                // An Idempotency-Key retry is answered with the first command's result; its seats changed then.
                !LedgerEntry.REPLAYED.equals(entry.outcome())
                                && entry.result() instanceof io.tally.protocol.CommandResult.WithSeats changed
                        ? changed.seats()
                        : java.util.List.of());
    }
}
