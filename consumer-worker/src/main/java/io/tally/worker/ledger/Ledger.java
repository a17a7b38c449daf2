package io.tally.worker.ledger;

import static io.tally.worker.db.Tables.COMMAND_LEDGER;

import io.tally.protocol.Command;
import io.tally.protocol.CommandResult;
import io.tally.protocol.ProtocolCodec;
import io.tally.worker.db.tables.records.CommandLedgerRecord;
import io.tally.worker.sql.ArrayParameter;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;
import org.springframework.stereotype.Component;

/** Reads and writes the ledger and the Idempotency-Key records, inside the caller's transaction. */
@Component
public class Ledger {

    /** The first command that used an Idempotency-Key, and the digest of its request. */
    public record KeyUse(String requestDigest, UUID commandId) {}

    private final ProtocolCodec codec;

    public Ledger(ProtocolCodec codec) {
        this.codec = codec;
    }

    /** The stored entries of those of {@code commandIds} already decided, in every month of the ledger. */
    public Map<UUID, LedgerEntry> decided(DSLContext tx, Collection<UUID> commandIds) {
        return decided(tx, commandIds, DSL.trueCondition());
    }

    private Map<UUID, LedgerEntry> decided(DSLContext tx, Collection<UUID> commandIds, Condition months) {
        Map<UUID, LedgerEntry> known = new HashMap<>();
        if (commandIds.isEmpty()) {
            return known;
        }
        tx.selectFrom(COMMAND_LEDGER)
                // One array parameter, not one per id: a batch's thousands of ids cost no planning time.
                .where(COMMAND_LEDGER.COMMAND_ID.eq(DSL.any(DSL.val(commandIds.toArray(UUID[]::new)))))
                .and(months)
                .forEach(row -> known.put(row.getCommandId(), entry(row)));
        return known;
    }

    /**
     * One page of a selection of ledger entries, and how many the whole selection holds, counted up to
     * {@link #COUNTED_BEYOND_PAGE} past the page's end.
     */
    public record Page(long count, List<LedgerEntry> entries) {}

    /**
     * How far past a page's end the selection is counted. The history is read on its license's ordered path, so a hot
     * license's millions of rows must not all be counted for every page; the gateway bounds the offset too.
     */
    public static final int COUNTED_BEYOND_PAGE = 10_000;

    /**
     * A license's consumption commands (those that carry consumptions), applied or refused, newest first; served by
     * the {@code (license_id, accepted_at)} index.
     *
     * @param from earliest accepted-at included, or {@code null}
     * @param to accepted-at before which entries are included, or {@code null}
     * @param beforeRequestId with {@code to}: entries accepted at {@code to} with a smaller id are included too (the
     *     page after the entry {@code (to, beforeRequestId)}), or {@code null}
     */
    public Page consumptions(
            DSLContext tx,
            String tenantId,
            long licenseId,
            Instant from,
            Instant to,
            java.util.UUID beforeRequestId,
            int limit,
            int offset) {
        Condition selected = COMMAND_LEDGER
                .LICENSE_ID
                .eq(licenseId)
                .and(COMMAND_LEDGER.TENANT_ID.eq(tenantId))
                .and(COMMAND_LEDGER.CONSUMPTIONS.isNotNull());
        if (from != null) {
            selected = selected.and(COMMAND_LEDGER.ACCEPTED_AT.ge(from.atOffset(ZoneOffset.UTC)));
        }
        if (to != null && beforeRequestId != null) {
            // Keyset: after the entry (to, beforeRequestId) in the order of the page, without walking what came before.
            selected = selected.and(DSL.row(COMMAND_LEDGER.ACCEPTED_AT, COMMAND_LEDGER.COMMAND_ID)
                    .lt(to.atOffset(ZoneOffset.UTC), beforeRequestId));
        } else if (to != null) {
            selected = selected.and(COMMAND_LEDGER.ACCEPTED_AT.lt(to.atOffset(ZoneOffset.UTC)));
        }
        List<LedgerEntry> entries = tx.selectFrom(COMMAND_LEDGER)
                .where(selected)
                .orderBy(COMMAND_LEDGER.ACCEPTED_AT.desc(), COMMAND_LEDGER.COMMAND_ID.desc())
                .limit(limit)
                .offset(offset)
                .fetch(this::entry);
        long counted = tx.fetchCount(
                tx.selectOne().from(COMMAND_LEDGER).where(selected).limit((long) offset + limit + COUNTED_BEYOND_PAGE));
        return new Page(counted, entries);
    }

    /** The entry a ledger row holds. */
    public LedgerEntry entry(CommandLedgerRecord row) {
        return new LedgerEntry(
                row.getCommandId(),
                row.getTenantId(),
                row.getLicenseId(),
                row.getCommandType(),
                row.getHardwareId(),
                row.getFeature(),
                row.getConsumptions(),
                row.getOutcome(),
                row.getRejectionCode(),
                row.getTotalBefore(),
                row.getTotalAfter(),
                row.getAcceptedAt().toInstant(),
                row.getAppliedAt().toInstant(),
                row.getKafkaPartition(),
                row.getKafkaOffset(),
                codec.decodeResult(row.getResult().data()));
    }

    public Optional<CommandResult> result(DSLContext tx, UUID commandId) {
        return Optional.ofNullable(decided(tx, List.of(commandId)).get(commandId))
                .map(LedgerEntry::result);
    }

    /**
     * Raises each partition's emitted-through mark to {@code committedOffset - 1} (never lowers it) and returns the
     * marks: the events of commands at or below a mark are known to be on the events topic. Parameters: the partitions
     * ({@code int[]}) and their committed offsets minus one ({@code bigint[]}).
     */
    public static final String RAISE_EMISSION_MARKS =
            "insert into event_emission_progress as p (kafka_partition, emitted_through)"
                    + " select * from unnest(?::int[], ?::bigint[])"
                    + " on conflict (kafka_partition) do update set emitted_through = greatest(p.emitted_through, excluded.emitted_through)"
                    + " returning kafka_partition, emitted_through";

    /** Runs {@link #RAISE_EMISSION_MARKS} for {@code committedOffsets} and returns the marks. */
    public Map<Integer, Long> emittedThrough(DSLContext tx, Map<Integer, Long> committedOffsets) {
        Map<Integer, Long> marks = new HashMap<>();
        if (committedOffsets.isEmpty()) {
            return marks;
        }
        Integer[] partitions = committedOffsets.keySet().toArray(Integer[]::new);
        Long[] through = new Long[partitions.length];
        for (int i = 0; i < partitions.length; i++) {
            through[i] = committedOffsets.get(partitions[i]) - 1;
        }
        tx.connection(connection -> {
            try (var statement = connection.prepareStatement(RAISE_EMISSION_MARKS)) {
                ArrayParameter.bind(
                        connection,
                        statement,
                        List.of(new ArrayParameter("int4", partitions), new ArrayParameter("int8", through)));
                try (var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        marks.put(rows.getInt(1), rows.getLong(2));
                    }
                }
            }
        });
        return marks;
    }

    /** Remembers the Idempotency-Keys first used by a batch's commands; parameters {@link #keyInserts(List)}. */
    public static final String INSERT_KEYS =
            "insert into idempotency_key (tenant_id, idempotency_key, request_digest, command_id, created_at)"
                    + " select * from unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::uuid[], ?::timestamptz[])";

    /** The parameters of {@link #INSERT_KEYS} for {@code commands}, each with an Idempotency-Key. */
    public static List<ArrayParameter> keyInserts(List<Command> commands) {
        int n = commands.size();
        String[] tenants = new String[n];
        String[] keys = new String[n];
        String[] digests = new String[n];
        UUID[] commandIds = new UUID[n];
        String[] created = new String[n];
        for (int i = 0; i < n; i++) {
            Command command = commands.get(i);
            tenants[i] = command.tenantId();
            keys[i] = command.idempotency().key();
            digests[i] = command.idempotency().requestDigest();
            commandIds[i] = command.commandId();
            created[i] = command.acceptedAt().toString();
        }
        return List.of(
                new ArrayParameter("text", tenants),
                new ArrayParameter("text", keys),
                new ArrayParameter("text", digests),
                new ArrayParameter("uuid", commandIds),
                new ArrayParameter("text", created));
    }

    /**
     * Appends ledger entries, as {@link #write} does, in a statement that can travel with others; parameters
     * {@link #entryInserts(List)}. For a few rows, where the round trip costs more than the parsing; a large batch is
     * cheaper through {@code COPY}.
     */
    public static final String INSERT_ENTRIES = "insert into command_ledger (command_id, tenant_id, license_id,"
            + " command_type, hardware_id, feature, consumptions, outcome, rejection_code, total_before, total_after,"
            + " accepted_at, applied_at, kafka_partition, kafka_offset, result)"
            + " select e.command_id, e.tenant_id, e.license_id, e.command_type, e.hardware_id, e.feature, e.consumptions,"
            + " e.outcome, e.rejection_code, e.total_before, e.total_after, e.accepted_at, e.applied_at,"
            + " e.kafka_partition, e.kafka_offset, e.result::json"
            + " from unnest(?::uuid[], ?::varchar[], ?::bigint[], ?::varchar[], ?::varchar[], ?::varchar[], ?::int[],"
            + " ?::varchar[], ?::varchar[], ?::bigint[], ?::bigint[], ?::timestamptz[], ?::timestamptz[], ?::int[],"
            + " ?::bigint[], ?::text[]) as e(command_id, tenant_id, license_id, command_type, hardware_id, feature,"
            + " consumptions, outcome, rejection_code, total_before, total_after, accepted_at, applied_at,"
            + " kafka_partition, kafka_offset, result)";

    /** The parameters of {@link #INSERT_ENTRIES} for {@code entries}. */
    public List<ArrayParameter> entryInserts(List<LedgerEntry> entries) {
        int n = entries.size();
        UUID[] ids = new UUID[n];
        String[] tenants = new String[n];
        Long[] licenses = new Long[n];
        String[] types = new String[n];
        String[] hardware = new String[n];
        String[] features = new String[n];
        Integer[] consumptions = new Integer[n];
        String[] outcomes = new String[n];
        String[] rejections = new String[n];
        Long[] before = new Long[n];
        Long[] after = new Long[n];
        String[] accepted = new String[n];
        String[] applied = new String[n];
        Integer[] partitions = new Integer[n];
        Long[] offsets = new Long[n];
        String[] results = new String[n];
        for (int i = 0; i < n; i++) {
            LedgerEntry entry = entries.get(i);
            ids[i] = entry.commandId();
            tenants[i] = entry.tenantId();
            licenses[i] = entry.licenseId();
            types[i] = entry.commandType();
            hardware[i] = entry.hardwareId();
            features[i] = entry.feature();
            consumptions[i] = entry.consumptions();
            outcomes[i] = entry.outcome();
            rejections[i] = entry.rejectionCode();
            before[i] = entry.totalBefore();
            after[i] = entry.totalAfter();
            accepted[i] = entry.acceptedAt().toString();
            applied[i] = entry.appliedAt().toString();
            partitions[i] = entry.partition();
            offsets[i] = entry.offset();
            results[i] = codec.encodeResult(entry.result());
        }
        return List.of(
                new ArrayParameter("uuid", ids),
                new ArrayParameter("text", tenants),
                new ArrayParameter("int8", licenses),
                new ArrayParameter("text", types),
                new ArrayParameter("text", hardware),
                new ArrayParameter("text", features),
                new ArrayParameter("int4", consumptions),
                new ArrayParameter("text", outcomes),
                new ArrayParameter("text", rejections),
                new ArrayParameter("int8", before),
                new ArrayParameter("int8", after),
                new ArrayParameter("text", accepted),
                new ArrayParameter("text", applied),
                new ArrayParameter("int4", partitions),
                new ArrayParameter("int8", offsets),
                new ArrayParameter("text", results));
    }

    /**
     * Writes {@code entries} with one binary {@code COPY} ({@link LedgerCopy}): a poll batch's rows in one round trip,
     * without formatting or parsing a row as text on either side.
     */
    public void write(DSLContext tx, List<LedgerEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        byte[] rows = LedgerCopy.encode(entries, codec::encodeResult);
        tx.connection(connection -> connection
                .unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn(LedgerCopy.STATEMENT, new ByteArrayInputStream(rows)));
    }
}
