package io.tally.worker.ledger;

import static io.tally.worker.db.Tables.COMMAND_LEDGER;
import static io.tally.worker.db.Tables.EVENT_EMISSION_PROGRESS;
import static io.tally.worker.db.Tables.IDEMPOTENCY_KEY;

import io.tally.protocol.Command;
import io.tally.protocol.CommandResult;
import io.tally.protocol.ProtocolCodec;
import io.tally.worker.db.tables.records.CommandLedgerRecord;
import java.io.StringReader;
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

    /**
     * The stored entries of those of {@code commands} already decided. Reads only the ledger's months of their
     * accepted-at times (a command's accepted-at is part of it, the same at every delivery).
     */
    public Map<UUID, LedgerEntry> decidedAmong(DSLContext tx, Collection<? extends Command> commands) {
        if (commands.isEmpty()) {
            return new HashMap<>();
        }
        Instant earliest = commands.stream()
                .map(Command::acceptedAt)
                .min(Instant::compareTo)
                .orElseThrow();
        Instant latest = commands.stream()
                .map(Command::acceptedAt)
                .max(Instant::compareTo)
                .orElseThrow();
        return decided(
                tx,
                commands.stream().map(Command::commandId).toList(),
                COMMAND_LEDGER.ACCEPTED_AT.between(earliest.atOffset(ZoneOffset.UTC), latest.atOffset(ZoneOffset.UTC)));
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

    private LedgerEntry entry(CommandLedgerRecord row) {
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
     * marks: the events of commands at or below a mark are known to be on the events topic.
     */
    public Map<Integer, Long> emittedThrough(DSLContext tx, Map<Integer, Long> committedOffsets) {
        Map<Integer, Long> marks = new HashMap<>();
        committedOffsets.forEach((partition, committed) -> {
            long mark = tx.insertInto(EVENT_EMISSION_PROGRESS)
                    .set(EVENT_EMISSION_PROGRESS.KAFKA_PARTITION, partition)
                    .set(EVENT_EMISSION_PROGRESS.EMITTED_THROUGH, committed - 1)
                    .onConflict(EVENT_EMISSION_PROGRESS.KAFKA_PARTITION)
                    .doUpdate()
                    .set(
                            EVENT_EMISSION_PROGRESS.EMITTED_THROUGH,
                            DSL.greatest(
                                    EVENT_EMISSION_PROGRESS.EMITTED_THROUGH,
                                    DSL.excluded(EVENT_EMISSION_PROGRESS.EMITTED_THROUGH)))
                    .returning(EVENT_EMISSION_PROGRESS.EMITTED_THROUGH)
                    .fetchOne(EVENT_EMISSION_PROGRESS.EMITTED_THROUGH);
            marks.put(partition, mark);
        });
        return marks;
    }

    /** Earlier uses of the Idempotency-Keys the commands carry, by tenant and key. */
    public Map<List<String>, KeyUse> keyUses(DSLContext tx, Collection<? extends Command> commands) {
        Map<List<String>, KeyUse> uses = new HashMap<>();
        var keys = commands.stream()
                .filter(command -> command.idempotency() != null)
                .map(command ->
                        DSL.row(command.tenantId(), command.idempotency().key()))
                .distinct()
                .toList();
        if (keys.isEmpty()) {
            return uses;
        }
        tx.select(
                        IDEMPOTENCY_KEY.TENANT_ID,
                        IDEMPOTENCY_KEY.IDEMPOTENCY_KEY_,
                        IDEMPOTENCY_KEY.REQUEST_DIGEST,
                        IDEMPOTENCY_KEY.COMMAND_ID)
                .from(IDEMPOTENCY_KEY)
                .where(DSL.row(IDEMPOTENCY_KEY.TENANT_ID, IDEMPOTENCY_KEY.IDEMPOTENCY_KEY_)
                        .in(keys))
                .forEach(row -> uses.put(List.of(row.value1(), row.value2()), new KeyUse(row.value3(), row.value4())));
        return uses;
    }

    public void rememberKey(DSLContext tx, Command command) {
        tx.insertInto(IDEMPOTENCY_KEY)
                .set(IDEMPOTENCY_KEY.TENANT_ID, command.tenantId())
                .set(IDEMPOTENCY_KEY.IDEMPOTENCY_KEY_, command.idempotency().key())
                .set(IDEMPOTENCY_KEY.REQUEST_DIGEST, command.idempotency().requestDigest())
                .set(IDEMPOTENCY_KEY.COMMAND_ID, command.commandId())
                .set(IDEMPOTENCY_KEY.CREATED_AT, command.acceptedAt().atOffset(ZoneOffset.UTC))
                .execute();
    }

    /**
     * Writes {@code entries} with one {@code COPY}: a poll batch's rows in one round trip, without parsing an INSERT per
     * row on either side.
     */
    public void write(DSLContext tx, List<LedgerEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        var csv = new StringBuilder(entries.size() * 400);
        for (LedgerEntry entry : entries) {
            csv.append(entry.commandId()).append(',');
            quoted(csv, entry.tenantId()).append(',');
            plain(csv, entry.licenseId()).append(',');
            quoted(csv, entry.commandType()).append(',');
            quoted(csv, entry.hardwareId()).append(',');
            quoted(csv, entry.feature()).append(',');
            plain(csv, entry.consumptions()).append(',');
            quoted(csv, entry.outcome()).append(',');
            quoted(csv, entry.rejectionCode()).append(',');
            plain(csv, entry.totalBefore()).append(',');
            plain(csv, entry.totalAfter()).append(',');
            csv.append(entry.acceptedAt()).append(',');
            csv.append(entry.appliedAt()).append(',');
            csv.append(entry.partition()).append(',');
            csv.append(entry.offset()).append(',');
            quoted(csv, codec.encodeResult(entry.result())).append('\n');
        }
        tx.connection(connection -> connection
                .unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn(COPY_LEDGER, new StringReader(csv.toString())));
    }

    private static final String COPY_LEDGER = "copy command_ledger (command_id, tenant_id, license_id, command_type,"
            + " hardware_id, feature, consumptions, outcome, rejection_code, total_before, total_after, accepted_at,"
            + " applied_at, kafka_partition, kafka_offset, result) from stdin with (format csv)";

    /** A CSV field that is NULL when absent (unquoted empty), else quoted with quotes doubled. */
    private static StringBuilder quoted(StringBuilder csv, String value) {
        if (value == null) {
            return csv;
        }
        // String.replace runs over the whole string at once; an answer's JSON is full of quotes.
        return csv.append('"').append(value.replace("\"", "\"\"")).append('"');
    }

    private static StringBuilder plain(StringBuilder csv, Number value) {
        return value == null ? csv : csv.append(value);
    }
}
