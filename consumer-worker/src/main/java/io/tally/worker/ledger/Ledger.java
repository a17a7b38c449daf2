package io.tally.worker.ledger;

import static io.tally.worker.db.Tables.COMMAND_LEDGER;
import static io.tally.worker.db.Tables.IDEMPOTENCY_KEY;

import io.tally.protocol.Command;
import io.tally.protocol.CommandResult;
import io.tally.protocol.ProtocolCodec;
import io.tally.worker.db.tables.records.CommandLedgerRecord;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.impl.DSL;
import org.springframework.stereotype.Component;

/** Reads and writes the ledger and the Idempotency-Key records, inside the caller's transaction. */
@Component
public class Ledger {

    /** The first command that used an Idempotency-Key, and the digest of its request. */
    public record KeyUse(String requestDigest, UUID commandId) {}

    private final ProtocolCodec codec;
    private final Clock clock;

    public Ledger(ProtocolCodec codec, Clock clock) {
        this.codec = codec;
        this.clock = clock;
    }

    /** The stored results of those of {@code commandIds} already decided. */
    public Map<UUID, CommandResult> decided(DSLContext tx, Collection<UUID> commandIds) {
        Map<UUID, CommandResult> known = new HashMap<>();
        if (commandIds.isEmpty()) {
            return known;
        }
        tx.select(COMMAND_LEDGER.COMMAND_ID, COMMAND_LEDGER.RESULT)
                .from(COMMAND_LEDGER)
                .where(COMMAND_LEDGER.COMMAND_ID.in(commandIds))
                .forEach(row ->
                        known.put(row.value1(), codec.decodeResult(row.value2().data())));
        return known;
    }

    public Optional<CommandResult> result(DSLContext tx, UUID commandId) {
        return Optional.ofNullable(decided(tx, List.of(commandId)).get(commandId));
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

    public void write(DSLContext tx, List<LedgerEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        OffsetDateTime appliedAt = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        List<CommandLedgerRecord> rows = entries.stream()
                .map(entry -> {
                    CommandLedgerRecord row = tx.newRecord(COMMAND_LEDGER);
                    row.setCommandId(entry.commandId());
                    row.setTenantId(entry.tenantId());
                    row.setLicenseId(entry.licenseId());
                    row.setCommandType(entry.commandType());
                    row.setHardwareId(entry.hardwareId());
                    row.setFeature(entry.feature());
                    row.setConsumptions(entry.consumptions());
                    row.setOutcome(entry.outcome());
                    row.setRejectionCode(entry.rejectionCode());
                    row.setTotalBefore(entry.totalBefore());
                    row.setTotalAfter(entry.totalAfter());
                    row.setAcceptedAt(entry.acceptedAt().atOffset(ZoneOffset.UTC));
                    row.setAppliedAt(appliedAt);
                    row.setKafkaPartition(entry.partition());
                    row.setKafkaOffset(entry.offset());
                    row.setResult(JSONB.valueOf(codec.encodeResult(entry.result())));
                    return row;
                })
                .toList();
        tx.batchInsert(rows).execute();
    }
}
