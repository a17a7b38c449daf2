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
 * ledger entries with {@code COPY}, cheaper per row where a round trip more does not matter. Seats taken, renewed and
 * freed go in the same statement (two parts more). Devices and features that changed are written first, as one JDBC
 * batch, when there are any. Inside the caller's transaction; thread-safe.
 */
public final class BatchWrites {

    /** The most ledger entries written in the one statement; a replay's batches of thousands go through COPY. */
    public static final int COMBINED_ROWS = 256;

    private static final String COMBINED = "with licenses as (" + LicenseStore.UPDATE_LICENSES + "), keys as ("
            + Ledger.INSERT_KEYS + "), entries as (" + Ledger.INSERT_ENTRIES + "), seats as ("
            + LicenseStore.UPSERT_SEATS + "), freed as (" + LicenseStore.DELETE_SEATS + ") select id, version from"
            + " licenses";

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
        List<ArrayParameter> parameters = new ArrayList<>(LicenseStore.licenseUpdate(pending, Map.of()));
        parameters.addAll(Ledger.keyInserts(keyed));
        parameters.addAll(ledger.entryInserts(entries));
        parameters.addAll(LicenseStore.seatUpserts(pending));
        parameters.addAll(LicenseStore.seatDeletes(pending));
        return run(tx, COMBINED, parameters, true);
    }

    /**
     * Writes a batch decided on cached license state and commits the transaction, in one round trip: every license the
     * batch decided on is in {@code pending} and is written only if its version is still {@code expectedVersions}'
     * (otherwise {@code tally_expect_written} fails the statement with SQLState {@code TL001} and nothing is written);
     * a command id or Idempotency-Key already stored fails it with a unique violation. Devices and features must not
     * have changed (their triggers move the versions). At most {@link #COMBINED_ROWS} entries.
     *
     * @return the new version of every license row written
     */
    public Map<Long, Long> writeCachedAndCommit(
            DSLContext tx,
            LicenseStore.PendingWrites pending,
            Map<Long, Long> expectedVersions,
            List<Command> keyed,
            List<LedgerEntry> entries) {
        List<ArrayParameter> parameters = new ArrayList<>(LicenseStore.licenseUpdate(pending, expectedVersions));
        parameters.addAll(Ledger.keyInserts(keyed));
        parameters.addAll(ledger.entryInserts(entries));
        parameters.addAll(LicenseStore.seatUpserts(pending));
        parameters.addAll(LicenseStore.seatDeletes(pending));
        Map<Long, Long> written = new HashMap<>();
        tx.connection(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(CACHED_AND_COMMIT)) {
                ArrayParameter.bind(connection, statement, parameters);
                statement.setInt(parameters.size() + 1, expectedVersions.size());
                statement.execute();
                try (ResultSet rows = statement.getResultSet()) {
                    rows.next();
                    Object[] ids = (Object[]) rows.getArray(2).getArray();
                    Object[] versions = (Object[]) rows.getArray(3).getArray();
                    for (int i = 0; i < ids.length; i++) {
                        written.put(((Number) ids[i]).longValue(), ((Number) versions[i]).longValue());
                    }
                }
                statement.getMoreResults(); // the COMMIT's
            }
        });
        return written;
    }

    /**
     * Its aggregate row always comes back, so the check runs even when no license was written; an empty aggregate is
     * an empty array.
     */
    private static final String CACHED_AND_COMMIT = "with licenses as (" + LicenseStore.UPDATE_LICENSES
            + "), keys as (" + Ledger.INSERT_KEYS + "), entries as (" + Ledger.INSERT_ENTRIES + "), seats as ("
            + LicenseStore.UPSERT_SEATS + "), freed as (" + LicenseStore.DELETE_SEATS + ")"
            + " select tally_expect_written(count(*), ?), coalesce(array_agg(id), '{}'), coalesce(array_agg(version),"
            + " '{}') from licenses;\ncommit";

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
