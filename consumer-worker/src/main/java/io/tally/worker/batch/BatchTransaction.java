package io.tally.worker.batch;

import io.tally.protocol.Command;
import io.tally.protocol.CommandReply;
import io.tally.protocol.CommandResult;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.ManagementCommand;
import io.tally.protocol.Rejection;
import io.tally.protocol.RejectionType;
import io.tally.worker.batch.CommandBatchApplier.Decided;
import io.tally.worker.ledger.Ledger;
import io.tally.worker.ledger.LedgerEntry;
import io.tally.worker.license.Decision;
import io.tally.worker.license.LicenseCache;
import io.tally.worker.license.LicenseRules;
import io.tally.worker.license.LicenseState;
import io.tally.worker.license.LicenseStore;
import io.tally.worker.license.Meter;
import io.tally.worker.management.ManagementHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The work of one transaction of {@link CommandBatchApplier}: decides a batch's commands in order on the licenses
 * found for it ({@link BatchLicenses}), writes what changed with the ledger entries, and tells the cache what it learnt
 * once committed ({@link #publish}). Lives as long as its transaction; not thread-safe.
 */
final class BatchTransaction {
    private final DSLContext tx;
    private final BatchLicenses licenses;

    private final Map<Long, LicenseCache.Entry> settled = new HashMap<>();
    /** Licenses whose rows this transaction wrote, as last written. */
    private final Map<Long, LicenseCache.Entry> changed = new LinkedHashMap<>();

    private final Map<UUID, CommandResult> results = new HashMap<>();
    private final List<LedgerEntry> entries = new ArrayList<>();
    /** Commands whose Idempotency-Key this batch uses first. */
    private final List<Command> keyed = new ArrayList<>();

    private final boolean onCache;

    private final Ledger ledger;
    private final LicenseStore store;
    private final LicenseCache cache;
    private final ManagementHandler management;
    private final java.time.Clock clock;
    private final io.tally.protocol.ProtocolCodec codec;
    private final int maxAnswerBytes;
    private final BatchReads reads;
    private final BatchWrites writes;

    BatchTransaction(DSLContext tx, boolean onCache, CommandBatchApplier.Parts parts) {
        this.tx = tx;
        this.onCache = onCache;
        this.ledger = parts.ledger();
        this.store = parts.store();
        this.cache = parts.cache();
        this.management = parts.management();
        this.clock = parts.clock();
        this.codec = parts.codec();
        this.maxAnswerBytes = parts.maxAnswerBytes();
        this.reads = parts.reads();
        this.writes = parts.writes();
        this.licenses = new BatchLicenses(tx, parts.store(), parts.cache());
    }

    /** Licenses whose rows this transaction wrote, as last written. */
    java.util.Collection<LicenseCache.Entry> changed() {
        return changed.values();
    }

    List<Decided> run(List<IncomingCommand> batch, Map<Integer, Long> committedOffsets) {
        List<Command> commands = batch.stream().map(IncomingCommand::command).toList();
        Map<LicenseStore.Key, Long> knownIds = licenses.knownIds(commands);
        Map<UUID, LedgerEntry> stored;
        Map<Integer, Long> emittedThrough;
        Map<List<String>, Ledger.KeyUse> keyUses;
        if (onCache) {
            // Nothing read: every command is taken as new and every license as cached, which the writes check.
            stored = Map.of();
            emittedThrough = Map.of();
            keyUses = new HashMap<>();
            licenses.fromCache(commands, knownIds);
        } else {
            // The batch's reads in one round trip: the ledger's decisions, the emission marks, Idempotency-Keys,
            // and the locks and versions of the licenses the cache knows by name.
            BatchReads.Found found =
                    reads.read(tx, commands, committedOffsets, new java.util.HashSet<>(knownIds.values()));
            stored = found.decided();
            stored.forEach((id, entry) -> results.put(id, entry.result()));
            emittedThrough = found.emittedThrough();
            keyUses = new HashMap<>(found.keyUses());
            licenses.prefetch(commands, knownIds, found.lockedVersions(), results.keySet());
        }
        for (IncomingCommand incoming : batch) {
            Command command = incoming.command();
            if (results.containsKey(command.commandId())) {
                continue; // decided before (redelivery, replay) or earlier in this batch
            }
            if (command.idempotency() != null) {
                List<String> key =
                        List.of(command.tenantId(), command.idempotency().key());
                Ledger.KeyUse use = keyUses.get(key);
                if (use != null) {
                    answerRetry(incoming, use);
                    continue;
                }
                keyUses.put(key, new Ledger.KeyUse(command.idempotency().requestDigest(), command.commandId()));
                keyed.add(command);
            }
            switch (command) {
                case LicenseCommand licenseCommand -> decide(incoming, licenseCommand);
                case ManagementCommand managementCommand -> manage(incoming, managementCommand);
            }
        }
        Map<UUID, LedgerEntry> fresh = new HashMap<>();
        entries.forEach(entry -> fresh.put(entry.commandId(), entry));
        java.util.Set<UUID> emitted = new java.util.HashSet<>();
        List<Decided> decided = new ArrayList<>(batch.size());
        for (IncomingCommand incoming : batch) {
            UUID id = incoming.command().commandId();
            LedgerEntry entry = fresh.containsKey(id) ? fresh.get(id) : stored.get(id);
            // A command decided before is known to be on the events topic once its own record is below the mark;
            // a copy of it at another position (a redrive, an operator's re-produce) never emits: the delivery
            // of the record the ledger names does.
            boolean known = !fresh.containsKey(id)
                    && (incoming.offset() <= emittedThrough.getOrDefault(incoming.partition(), -1L)
                            || entry.partition() != incoming.partition()
                            || entry.offset() != incoming.offset());
            boolean emit = emitted.add(id) && !known;
            CommandReply reply = new CommandReply(id, results.get(id));
            byte[] encoded = fresh.containsKey(id) ? measured(incoming.command(), reply) : null;
            decided.add(new Decided(incoming.command(), reply, entry, emit, encoded));
        }
        // Last: on cached state, the writes commit the transaction (every answer was measured before).
        flush(true);
        return decided;
    }

    /**
     * Answers whose size depends on the request are measured, encoded once: the bytes go on as the reply. The others
     * are small by construction and left for the listener to encode; {@code null} for those.
     */
    private byte[] measured(Command command, CommandReply reply) {
        if (reply.result() instanceof CommandResult.OrderCreated
                || reply.result() instanceof CommandResult.ConsumptionsListed
                || reply.result() instanceof CommandResult.OutcomeFound
                || reply.result() instanceof CommandResult.LicenseChecked) {
            byte[] encoded = codec.encodeReply(reply);
            if (encoded.length > maxAnswerBytes) {
                throw new AnswerTooLargeException(command.getClass().getSimpleName(), encoded.length, maxAnswerBytes);
            }
            return encoded;
        }
        return null;
    }

    private void answerRetry(IncomingCommand incoming, Ledger.KeyUse use) {
        Command command = incoming.command();
        CommandResult result;
        String outcome;
        if (use.requestDigest().equals(command.idempotency().requestDigest())) {
            result = results.containsKey(use.commandId())
                    ? results.get(use.commandId())
                    : ledger.result(tx, use.commandId()).orElseThrow();
            outcome = LedgerEntry.REPLAYED;
        } else {
            result = new CommandResult.CommandRejected(Rejection.of(RejectionType.IDEMPOTENCY_KEY_REUSED));
            outcome = CommandResult.CommandRejected.class.getSimpleName();
        }
        record(incoming, null, null, null, outcome, result);
    }

    private void decide(IncomingCommand incoming, LicenseCommand command) {
        Object lookup = licenses.lookup(command);
        if (lookup instanceof RejectionType missing) {
            record(incoming, null, null, null, null, new CommandResult.CommandRejected(Rejection.of(missing)));
            return;
        }
        long licenseId = (Long) lookup;
        LicenseState state = licenses.current.get(licenseId);
        Decision decision = LicenseRules.decide(state, command);
        switch (decision) {
            case Decision.Applied applied -> {
                LicenseState after = applied.after();
                boolean newDevice = after.devices().values().stream().anyMatch(device -> device.id() == 0);
                if (newDevice && onCache) {
                    throw new NotDecidableOnCache(); // its id comes from an insert, which moves the version
                }
                if (newDevice) {
                    // The answer names the new device's id, which only the database can give.
                    after = store.save(tx, licenses.loaded.get(licenseId), after);
                    licenses.loaded.put(licenseId, after);
                }
                licenses.current.put(licenseId, after);
                Meter before = meterOf(applied.before(), command);
                Meter then = meterOf(after, command);
                record(
                        incoming,
                        licenseId,
                        before == null ? null : before.total(),
                        then == null ? null : then.total(),
                        null,
                        applied.result().apply(after));
            }
            case Decision.Rejected rejected ->
                record(incoming, licenseId, null, null, null, new CommandResult.CommandRejected(rejected.rejection()));
        }
    }

    private void manage(IncomingCommand incoming, ManagementCommand command) {
        // Management commands may change licenses loaded in this batch (new feature copies): write what is
        // pending and load afresh afterwards.
        if (onCache) {
            throw new NotDecidableOnCache();
        }
        flush(false);
        licenses.clear();
        record(incoming, null, null, null, null, management.apply(tx, command));
    }

    /**
     * Writes every license changed since it was found. Each one's row is written, even when only a device or a
     * feature changed, so that its new version comes back with it and the cache can keep it.
     *
     * @param last whether the batch is decided: the Idempotency-Keys and ledger entries go with the licenses
     */
    private void flush(boolean last) {
        var pending = new LicenseStore.PendingWrites();
        java.util.Set<Long> differing = new java.util.HashSet<>();
        licenses.current.forEach((id, state) -> {
            LicenseState before = licenses.loaded.get(id);
            if (!before.equals(state)) {
                licenses.loaded.put(id, store.save(tx, before, state, pending));
            }
            if (!licenses.original.get(id).equals(licenses.loaded.get(id))) {
                pending.touch(licenses.loaded.get(id));
                differing.add(id);
            } else if (onCache) {
                pending.touch(licenses.loaded.get(id)); // written unchanged, to check that its version still holds
            }
        });
        Map<Long, Long> written;
        if (onCache) {
            if (pending.changesDevicesOrFeatures()) {
                throw new NotDecidableOnCache(); // their triggers move the versions the writes check
            }
            written = writes.writeCachedAndCommit(tx, pending, new HashMap<>(licenses.versions), keyed, entries);
        } else {
            written = last ? writes.write(tx, pending, keyed, entries) : store.write(tx, pending);
        }
        written.forEach((id, version) -> {
            licenses.versions.put(id, version);
            licenses.original.put(id, licenses.loaded.get(id));
            if (differing.contains(id)) {
                changed.put(id, new LicenseCache.Entry(licenses.loaded.get(id), version));
            }
        });
        licenses.loaded.forEach(
                (id, state) -> settled.put(id, new LicenseCache.Entry(state, licenses.versions.get(id))));
    }

    /** Tells the cache what this transaction found and wrote; only after it committed. */
    void publish() {
        licenses.named.forEach(cache::name);
        settled.values().forEach(cache::put);
    }

    private void record(
            IncomingCommand incoming,
            Long licenseId,
            Long totalBefore,
            Long totalAfter,
            String outcome,
            CommandResult result) {
        Command command = incoming.command();
        results.put(command.commandId(), result);
        String feature = null;
        Integer consumptions = null;
        String hardwareId = null;
        if (command instanceof LicenseCommand licenseCommand) {
            hardwareId = licenseCommand.hardwareId().isEmpty() ? null : licenseCommand.hardwareId();
            switch (licenseCommand) {
                case LicenseCommand.ConsumeLicense consume -> consumptions = consume.consumptions();
                case LicenseCommand.ConsumeFeature consume -> {
                    consumptions = consume.consumptions();
                    feature = consume.feature();
                }
                case LicenseCommand.DeactivateLicense deactivate -> consumptions = deactivate.consumptions();
                case LicenseCommand.CheckFeature check -> feature = check.feature();
                case LicenseCommand.ReleaseSeat release -> feature = release.feature();
                case LicenseCommand.BorrowSeat borrow -> feature = borrow.feature();
                default -> {}
            }
        }
        entries.add(new LedgerEntry(
                command.commandId(),
                command.tenantId(),
                licenseId,
                command.getClass().getSimpleName(),
                hardwareId,
                feature,
                consumptions,
                outcome != null ? outcome : result.getClass().getSimpleName(),
                result instanceof CommandResult.CommandRejected rejected
                        ? rejected.rejection().type().code()
                        : null,
                totalBefore,
                totalAfter,
                command.acceptedAt(),
                clock.instant(),
                incoming.partition(),
                incoming.offset(),
                result));
    }

    /** The meter a consumption command counts on: the feature's for feature commands, else the license's. */
    private static Meter meterOf(LicenseState license, LicenseCommand command) {
        return switch (command) {
            case LicenseCommand.ConsumeFeature consume ->
                license.features().containsKey(consume.feature())
                        ? license.features().get(consume.feature()).meter()
                        : null;
            case LicenseCommand.ConsumeLicense consume -> license.meter();
            case LicenseCommand.DeactivateLicense deactivate -> license.meter();
            default -> null;
        };
    }
}
