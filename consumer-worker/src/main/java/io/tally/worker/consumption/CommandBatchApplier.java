package io.tally.worker.consumption;

import static io.tally.worker.db.Tables.COMMAND_LEDGER;
import static io.tally.worker.db.Tables.DEVICE;
import static io.tally.worker.db.Tables.LICENSE;
import static io.tally.worker.db.Tables.PRODUCT;

import io.tally.protocol.CommandReply;
import io.tally.protocol.CommandResult;
import io.tally.protocol.ConsumeLicense;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.Rejection;
import io.tally.protocol.RejectionType;
import io.tally.worker.db.tables.records.CommandLedgerRecord;
import io.tally.worker.db.tables.records.LicenseRecord;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.springframework.stereotype.Component;

/**
 * Applies one poll batch of commands in one PostgreSQL transaction: new totals of every license touched, and one
 * ledger row per command, commit together or not at all.
 *
 * <p>Idempotent: a command whose id is already in the ledger (a redelivery after a crash or rebalance, or a replay)
 * is answered with the stored result and applies nothing. Commands of one license are decided in batch order, which
 * is their partition order, which is the order the gateway accepted them.
 *
 * <p>Called by one listener thread per partition set; the license rows are locked for the transaction so that even two
 * workers that briefly both believe they own a partition cannot interleave their writes to one license.
 */
@Component
public class CommandBatchApplier {

    private final DSLContext dsl;
    private final ProtocolCodec codec;
    private final Clock clock;

    public CommandBatchApplier(DSLContext dsl, ProtocolCodec codec, Clock clock) {
        this.dsl = dsl;
        this.codec = codec;
        this.clock = clock;
    }

    /** Returns one reply per command, in the order of {@code batch}. */
    public List<CommandReply> apply(List<IncomingCommand> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        return dsl.transactionResult(configuration -> new Transaction(configuration.dsl()).run(batch));
    }

    /** The work of one transaction; lives as long as it. */
    private final class Transaction {
        private final DSLContext tx;
        private final Map<LicenseKey, LicenseRecord> licenseRows = new HashMap<>();
        private final Map<LicenseKey, LicenseState> states = new HashMap<>();
        private final Set<LicenseKey> changed = new LinkedHashSet<>();
        private final Map<String, Long> productIds = new HashMap<>();

        Transaction(DSLContext tx) {
            this.tx = tx;
        }

        List<CommandReply> run(List<IncomingCommand> batch) {
            Map<UUID, CommandResult> results = new LinkedHashMap<>(alreadyDecided(batch));
            List<IncomingCommand> fresh = batch.stream()
                    .filter(incoming -> !results.containsKey(incoming.command().commandId()))
                    .toList();
            loadLicenses(fresh);
            OffsetDateTime appliedAt = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
            List<CommandLedgerRecord> ledger = new ArrayList<>();
            for (IncomingCommand incoming : fresh) {
                ConsumeLicense command = incoming.command();
                if (results.containsKey(command.commandId())) {
                    continue; // the same id twice in one batch: decided once, answered twice
                }
                var entry = decide(incoming, appliedAt);
                results.put(command.commandId(), entry.result());
                ledger.add(entry.row());
            }
            writeLicenses();
            if (!ledger.isEmpty()) {
                tx.batchInsert(ledger).execute();
            }
            return batch.stream()
                    .map(incoming -> new CommandReply(
                            incoming.command().commandId(),
                            results.get(incoming.command().commandId())))
                    .toList();
        }

        private Map<UUID, CommandResult> alreadyDecided(List<IncomingCommand> batch) {
            List<UUID> ids = batch.stream()
                    .map(incoming -> incoming.command().commandId())
                    .toList();
            Map<UUID, CommandResult> known = new HashMap<>();
            tx.select(COMMAND_LEDGER.COMMAND_ID, COMMAND_LEDGER.RESULT)
                    .from(COMMAND_LEDGER)
                    .where(COMMAND_LEDGER.COMMAND_ID.in(ids))
                    .forEach(row -> known.put(
                            row.value1(), codec.decodeResult(row.value2().data())));
            return known;
        }

        private void loadLicenses(List<IncomingCommand> commands) {
            Map<Long, LicenseKey> keysById = new HashMap<>();
            Set<String> hardwareIds = new LinkedHashSet<>();
            for (IncomingCommand incoming : commands) {
                ConsumeLicense command = incoming.command();
                hardwareIds.add(command.hardwareId());
                LicenseKey key = new LicenseKey(command.tenantId(), command.license());
                if (licenseRows.containsKey(key)) {
                    continue;
                }
                Long productId = productId(command.tenantId(), command.license().product());
                if (productId == null) {
                    continue;
                }
                LicenseRecord row = tx.selectFrom(LICENSE)
                        .where(LICENSE.PRODUCT_ID.eq(productId))
                        .and(
                                command.license().licenseKey() != null
                                        ? LICENSE.LICENSE_KEY.eq(
                                                command.license().licenseKey())
                                        : LICENSE.USERNAME.eq(command.license().username()))
                        .forUpdate()
                        .fetchOne();
                if (row != null) {
                    licenseRows.put(key, row);
                    keysById.put(row.getId(), key);
                }
            }
            if (keysById.isEmpty()) {
                return;
            }
            Map<Long, Map<String, DeviceStatus>> devices = new HashMap<>();
            tx.select(DEVICE.LICENSE_ID, DEVICE.HARDWARE_ID, DEVICE.ACTIVE, DEVICE.BLACKLISTED)
                    .from(DEVICE)
                    .where(DEVICE.LICENSE_ID.in(keysById.keySet()))
                    // Any active device decides license_not_active; inactive ones matter only when asked about.
                    .and(DEVICE.ACTIVE.isTrue().or(DEVICE.HARDWARE_ID.in(hardwareIds)))
                    .forEach(row -> devices.computeIfAbsent(row.value1(), id -> new HashMap<>())
                            .put(
                                    row.value2(),
                                    row.value4()
                                            ? DeviceStatus.BLACKLISTED
                                            : row.value3() ? DeviceStatus.ACTIVE : DeviceStatus.INACTIVE));
            licenseRows.forEach((key, row) ->
                    states.put(key, LicenseRows.toState(row, devices.getOrDefault(row.getId(), Map.of()))));
        }

        private Long productId(String tenantId, String shortCode) {
            String cacheKey = tenantId + "/" + shortCode;
            if (!productIds.containsKey(cacheKey)) {
                productIds.put(
                        cacheKey,
                        tx.select(PRODUCT.ID)
                                .from(PRODUCT)
                                .where(PRODUCT.TENANT_ID.eq(tenantId))
                                .and(PRODUCT.SHORT_CODE.eq(shortCode))
                                .fetchOne(PRODUCT.ID));
            }
            return productIds.get(cacheKey);
        }

        private LedgerEntry decide(IncomingCommand incoming, OffsetDateTime appliedAt) {
            ConsumeLicense command = incoming.command();
            LicenseKey key = new LicenseKey(command.tenantId(), command.license());
            LicenseState state = states.get(key);
            Decision decision;
            if (state == null) {
                decision = new Decision.Rejected(Rejection.of(
                        productId(command.tenantId(), command.license().product()) == null
                                ? RejectionType.UNKNOWN_PRODUCT
                                : RejectionType.LICENSE_NOT_FOUND));
            } else {
                decision = ConsumptionRules.consume(
                        state,
                        command.hardwareId(),
                        command.consumptions(),
                        command.allowOverages(),
                        command.maxOverages());
            }
            CommandLedgerRecord row = tx.newRecord(COMMAND_LEDGER);
            row.setCommandId(command.commandId());
            row.setTenantId(command.tenantId());
            row.setCommandType("ConsumeLicense");
            row.setHardwareId(command.hardwareId());
            row.setConsumptions(command.consumptions());
            row.setAcceptedAt(command.acceptedAt().atOffset(ZoneOffset.UTC));
            row.setAppliedAt(appliedAt);
            row.setKafkaPartition(incoming.partition());
            row.setKafkaOffset(incoming.offset());
            CommandResult result;
            switch (decision) {
                case Decision.Applied applied -> {
                    states.put(key, applied.after());
                    changed.add(key);
                    result = new CommandResult.LicenseConsumed(applied.after().totals());
                    row.setLicenseId(applied.after().id());
                    row.setOutcome("LicenseConsumed");
                    row.setTotalBefore(applied.before().consumption().totalConsumptions());
                    row.setTotalAfter(applied.after().consumption().totalConsumptions());
                }
                case Decision.Rejected rejected -> {
                    result = new CommandResult.ConsumptionRejected(rejected.rejection());
                    row.setLicenseId(state == null ? null : state.id());
                    row.setOutcome("ConsumptionRejected");
                    row.setRejectionCode(rejected.rejection().type().code());
                    if (state != null) {
                        row.setTotalBefore(state.consumption().totalConsumptions());
                        row.setTotalAfter(state.consumption().totalConsumptions());
                    }
                }
            }
            row.setResult(JSONB.valueOf(codec.encodeResult(result)));
            return new LedgerEntry(row, result);
        }

        private void writeLicenses() {
            if (changed.isEmpty()) {
                return;
            }
            tx.batch(changed.stream()
                            .map(key -> {
                                ConsumptionSettings settings = states.get(key).consumption();
                                return tx.update(LICENSE)
                                        .set(LICENSE.TOTAL_CONSUMPTIONS, settings.totalConsumptions())
                                        .set(LICENSE.ALLOW_OVERAGES, settings.allowOverages())
                                        .set(LICENSE.MAX_OVERAGES, settings.maxOverages())
                                        .where(LICENSE.ID.eq(
                                                licenseRows.get(key).getId()));
                            })
                            .toList())
                    .execute();
        }
    }

    private record LicenseKey(String tenantId, LicenseRef license) {}

    private record LedgerEntry(CommandLedgerRecord row, CommandResult result) {}
}
