package io.tally.worker.batch;

import io.tally.protocol.Command;
import io.tally.worker.ledger.Ledger;
import io.tally.worker.ledger.LedgerEntry;
import io.tally.worker.license.LicenseStore;
import io.tally.worker.sql.ArrayParameter;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;

/**
 * What a batch writes once it has decided every command: its license rows, the Idempotency-Keys it used first and its
 * ledger entries. A batch of at most {@link #COMBINED_ROWS} entries writes them in one statement (three data-modifying
 * parts of one {@code WITH}), so that a small batch costs one round trip for all its writes; a larger one writes its
 * ledger entries with {@code COPY}, cheaper per row where a round trip more does not matter. Devices and features that
 * changed are written first, as one JDBC batch, when there are any. Inside the caller's transaction; thread-safe.
 */
public final class BatchWrites {

    /** The most ledger entries written in the one statement; a replay's batches of thousands go through COPY. */
    public static final int COMBINED_ROWS = 256;

    private static final String COMBINED = "with licenses as (" + LicenseStore.UPDATE_LICENSES + "), keys as ("
            + Ledger.INSERT_KEYS + "), entries as (" + Ledger.INSERT_ENTRIES + ") select id, version from licenses";

    private final Ledger ledger;
    private final LicenseStore store;

    public BatchWrites(Ledger ledger, LicenseStore store) {
        this.ledger = ledger;
        this.store = store;
    }

    /**
     * Writes {@code pending}, remembers the Idempotency-Keys of {@code keyed} (each the first use of its key) and
     * appends {@code entries} to the ledger.
     *
     * @return the new version of every license row written
     */
    public Map<Long, Long> write(
            DSLContext tx, LicenseStore.PendingWrites pending, List<Command> keyed, List<LedgerEntry> entries) {
        if (entries.size() > COMBINED_ROWS) {
            Map<Long, Long> versions = store.write(tx, pending);
            if (!keyed.isEmpty()) {
                run(tx, Ledger.INSERT_KEYS, Ledger.keyInserts(keyed), false);
            }
            ledger.write(tx, entries);
            return versions;
        }
        store.writeDevicesAndFeatures(tx, pending);
        List<ArrayParameter> parameters = new ArrayList<>(LicenseStore.licenseUpdate(pending));
        parameters.addAll(Ledger.keyInserts(keyed));
        parameters.addAll(ledger.entryInserts(entries));
        return run(tx, COMBINED, parameters, true);
    }

    private static Map<Long, Long> run(DSLContext tx, String sql, List<ArrayParameter> parameters, boolean versions) {
        Map<Long, Long> written = new HashMap<>();
        tx.connection(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                ArrayParameter.bind(connection, statement, parameters);
                if (!versions) {
                    statement.executeUpdate();
                    return;
                }
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        written.put(rows.getLong(1), rows.getLong(2));
                    }
                }
            }
        });
        return written;
    }
}
