package io.tally.worker.batch;

import static io.tally.worker.db.Tables.COMMAND_LEDGER;

import io.tally.protocol.Command;
import io.tally.worker.ledger.Ledger;
import io.tally.worker.ledger.LedgerEntry;
import io.tally.worker.sql.StatementResults;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * What a batch reads before it decides anything, in one round trip to PostgreSQL: which of its commands the ledger has
 * decided already, the emission marks raised to the group's committed offsets, earlier uses of its Idempotency-Keys,
 * and the versions of the licenses it names, locked ({@code FOR UPDATE}, in id order) until the transaction ends.
 *
 * <p>Four statements sent together (PgJDBC sends the statements of one prepared text with one Sync, and the first
 * of a transaction carries its BEGIN): every read a small batch needs costs one wait for the database instead of four,
 * which on a busy machine is most of a small batch's time. Inside the caller's transaction; thread-safe (no state).
 */
public final class BatchReads {

    /** Parameters: command ids, earliest and latest accepted-at (the ledger months to read). */
    private static final String DECIDED =
            "select * from command_ledger where command_id = any(?::uuid[])" + " and accepted_at between ? and ?";

    /** Parameters: tenant ids and keys, pairwise. */
    private static final String KEY_USES = "select tenant_id, idempotency_key, request_digest, command_id"
            + " from idempotency_key where (tenant_id, idempotency_key) in"
            + " (select * from unnest(?::varchar[], ?::varchar[]))";

    /** Parameters: license ids. */
    private static final String LOCK_VERSIONS =
            "select id, version from license where id = any(?::bigint[]) order by id for update";

    private static final String ALL = String.join(";\n", DECIDED, Ledger.RAISE_EMISSION_MARKS, KEY_USES, LOCK_VERSIONS);

    /**
     * What the reads found.
     *
     * @param decided the ledger's entries of those commands already decided, by command id
     * @param emittedThrough each partition's emission mark after raising it: the events of commands at or below it are
     *     known to be on the events topic
     * @param keyUses the first use of each Idempotency-Key already used, by {@code [tenant id, key]}
     * @param lockedVersions the version of each license named that exists, now locked
     */
    public record Found(
            Map<UUID, LedgerEntry> decided,
            Map<Integer, Long> emittedThrough,
            Map<List<String>, Ledger.KeyUse> keyUses,
            Map<Long, Long> lockedVersions) {}

    private final Ledger ledger;

    public BatchReads(Ledger ledger) {
        this.ledger = ledger;
    }

    /**
     * Reads, for a non-empty batch of {@code commands}: the ledger months of their accepted-at times, the emission
     * marks of the partitions in {@code committedOffsets} raised to those offsets minus one (never lowered), and locks
     * the licenses {@code licenseIds}.
     */
    public Found read(
            DSLContext tx, List<Command> commands, Map<Integer, Long> committedOffsets, Collection<Long> licenseIds) {
        UUID[] ids = commands.stream().map(Command::commandId).toArray(UUID[]::new);
        Instant earliest = commands.stream()
                .map(Command::acceptedAt)
                .min(Instant::compareTo)
                .orElseThrow();
        Instant latest = commands.stream()
                .map(Command::acceptedAt)
                .max(Instant::compareTo)
                .orElseThrow();
        Integer[] partitions = committedOffsets.keySet().toArray(Integer[]::new);
        Long[] marks = new Long[partitions.length];
        for (int i = 0; i < partitions.length; i++) {
            marks[i] = committedOffsets.get(partitions[i]) - 1;
        }
        var keys = new LinkedHashSet<List<String>>();
        for (Command command : commands) {
            if (command.idempotency() != null) {
                keys.add(List.of(command.tenantId(), command.idempotency().key()));
            }
        }
        String[] keyTenants = keys.stream().map(List::getFirst).toArray(String[]::new);
        String[] keyNames = keys.stream().map(List::getLast).toArray(String[]::new);
        return tx.connectionResult(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(ALL)) {
                int p = 1;
                statement.setArray(p++, connection.createArrayOf("uuid", ids));
                statement.setObject(p++, earliest.atOffset(ZoneOffset.UTC));
                statement.setObject(p++, latest.atOffset(ZoneOffset.UTC));
                statement.setArray(p++, connection.createArrayOf("int4", partitions));
                statement.setArray(p++, connection.createArrayOf("int8", marks));
                statement.setArray(p++, connection.createArrayOf("varchar", keyTenants));
                statement.setArray(p++, connection.createArrayOf("varchar", keyNames));
                statement.setArray(p, connection.createArrayOf("int8", licenseIds.toArray(Long[]::new)));
                statement.execute();
                Map<UUID, LedgerEntry> decided = new HashMap<>();
                for (var row : tx.fetch(StatementResults.next(statement, true), COMMAND_LEDGER.fields())
                        .into(COMMAND_LEDGER)) {
                    decided.put(row.getCommandId(), ledger.entry(row));
                }
                Map<Integer, Long> emitted = new HashMap<>();
                try (ResultSet rows = StatementResults.next(statement, false)) {
                    while (rows.next()) {
                        emitted.put(rows.getInt(1), rows.getLong(2));
                    }
                }
                Map<List<String>, Ledger.KeyUse> keyUses = new HashMap<>();
                try (ResultSet rows = StatementResults.next(statement, false)) {
                    while (rows.next()) {
                        keyUses.put(
                                List.of(rows.getString(1), rows.getString(2)),
                                new Ledger.KeyUse(rows.getString(3), rows.getObject(4, UUID.class)));
                    }
                }
                Map<Long, Long> versions = new HashMap<>();
                try (ResultSet rows = StatementResults.next(statement, false)) {
                    while (rows.next()) {
                        versions.put(rows.getLong(1), rows.getLong(2));
                    }
                }
                return new Found(decided, emitted, keyUses, versions);
            }
        });
    }
}
