package io.tally.worker.batch;

import io.tally.protocol.Command;
import io.tally.protocol.CommandReply;
import io.tally.protocol.CommandResult;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.ManagementCommand;
import io.tally.protocol.Rejection;
import io.tally.protocol.RejectionType;
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
import org.springframework.stereotype.Component;

/**
 * Applies one poll batch of commands in one PostgreSQL transaction: the new state of every license touched and one
 * ledger row per command commit together or not at all.
 *
 * <p>Idempotent: a command whose id is already in the ledger (a redelivery after a crash or rebalance, or a replay)
 * is answered with the stored result and applies nothing. A command whose Idempotency-Key was used before is answered
 * with the first command's result when its request is the same, and refused with {@code idempotency_key_reused}
 * otherwise. Commands are decided in batch order, which for one license is the order the gateway accepted them; each
 * license is locked once per batch and written once at the end. Its state comes from the {@link LicenseCache} when the
 * cached version is the locked row's, from PostgreSQL otherwise; the cache learns the batch's states only after its
 * transaction committed.
 *
 * <p>Not thread-safe per call; the listener calls it from one thread per partition set.
 */
@Component
public class CommandBatchApplier {

    private final DSLContext dsl;
    private final Ledger ledger;
    private final LicenseStore store;
    private final ManagementHandler management;
    private final LicenseCache cache;
    private final java.time.Clock clock;
    private final io.tally.protocol.ProtocolCodec codec;
    private final int maxAnswerBytes;
    private final BatchReads reads;
    private final BatchWrites writes;
    private final java.util.concurrent.atomic.LongAdder decidedOnCache = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder decidedAfterReading =
            new java.util.concurrent.atomic.LongAdder();

    /** Answers of at most {@link #DEFAULT_MAX_ANSWER_BYTES}. */
    public CommandBatchApplier(
            DSLContext dsl,
            Ledger ledger,
            LicenseStore store,
            LicenseCache cache,
            ManagementHandler management,
            java.time.Clock clock) {
        this(
                dsl,
                ledger,
                store,
                cache,
                management,
                clock,
                new io.tally.protocol.ProtocolCodec(),
                DEFAULT_MAX_ANSWER_BYTES);
    }

    /**
     * @param maxAnswerBytes the largest encoded answer a command may have: one that would be larger is refused inside
     *     the transaction ({@link AnswerTooLargeException}), so that a reply never fails the Kafka transaction
     */
    @org.springframework.beans.factory.annotation.Autowired
    public CommandBatchApplier(
            DSLContext dsl,
            Ledger ledger,
            LicenseStore store,
            LicenseCache cache,
            ManagementHandler management,
            java.time.Clock clock,
            io.tally.protocol.ProtocolCodec codec,
            @org.springframework.beans.factory.annotation.Value(
                            "${tally.max-answer-bytes:" + DEFAULT_MAX_ANSWER_BYTES + "}")
                    int maxAnswerBytes) {
        this.dsl = dsl;
        this.ledger = ledger;
        this.store = store;
        this.cache = cache;
        this.management = management;
        this.clock = clock;
        this.codec = codec;
        this.maxAnswerBytes = maxAnswerBytes;
        this.reads = new BatchReads(ledger);
        this.writes = new BatchWrites(ledger, store);
    }

    /** Half of Kafka's default largest message (1 MiB): room for headers and for the event beside it. */
    public static final int DEFAULT_MAX_ANSWER_BYTES = 512 * 1024;

    /**
     * One command as decided: its reply, its ledger entry, and whether its event still has to be emitted (false when
     * it is known to be on the events topic already, or for a second copy of a command in the same batch).
     */
    public record Decided(
            Command command, CommandReply reply, LedgerEntry entry, boolean emitEvent, byte[] encodedReply) {

        /** Its reply not encoded yet. */
        public Decided(Command command, CommandReply reply, LedgerEntry entry, boolean emitEvent) {
            this(command, reply, entry, emitEvent, null);
        }

        /** The same, with or without its event. */
        public Decided withEmitEvent(boolean emit) {
            return new Decided(command, reply, entry, emit, encodedReply);
        }
    }

    /**
     * What a batch did: one {@link Decided} per command, in batch order, and the new state of every license whose row
     * it wrote (totals, devices, features or settings changed), with its version.
     */
    public record Applied(List<Decided> decided, List<LicenseCache.Entry> changed) {}

    /**
     * Applies {@code batch}: one {@link Decided} per command, in batch order, and the licenses it changed.
     *
     * @param committedOffsets the consumer group's committed offset per partition of the batch: every command below it
     *     had its events committed
     */
    public Applied apply(List<IncomingCommand> batch, Map<Integer, Long> committedOffsets) {
        if (batch.isEmpty()) {
            return new Applied(List.of(), List.of());
        }
        if (batch.size() <= BatchWrites.COMBINED_ROWS) {
            try {
                Applied applied = apply(batch, committedOffsets, true);
                decidedOnCache.increment();
                return applied;
            } catch (NotDecidableOnCache e) {
                // a license not cached, a management command, a device or feature written: read and lock first
            } catch (RuntimeException e) {
                if (!CommandFailures.isCachedWriteRefused(e)) {
                    throw e;
                }
            }
        }
        decidedAfterReading.increment();
        return apply(batch, committedOffsets, false);
    }

    /** Transactions that decided a batch on cached state and wrote it in one round trip, since start. */
    public long batchesDecidedOnCache() {
        return decidedOnCache.sum();
    }

    /** Transactions that read and locked before deciding (including those after a refused cached write), since start. */
    public long batchesDecidedAfterReading() {
        return decidedAfterReading.sum();
    }

    /**
     * @param onCache decide on the cached state of licenses without reading anything first, and write everything and
     *     commit in one round trip, the versions checked as the rows are written; {@link NotDecidableOnCache} before
     *     anything is written when the batch needs more, or the database's refusal when a version moved or a command
     *     was decided before
     */
    private Applied apply(List<IncomingCommand> batch, Map<Integer, Long> committedOffsets, boolean onCache) {
        var work = new ArrayList<Transaction>(1);
        List<Decided> decided = dsl.transactionResult(configuration -> {
            // A retried transaction starts over with nothing staged.
            work.clear();
            work.add(new Transaction(configuration.dsl(), onCache));
            return work.getFirst().run(batch, committedOffsets);
        });
        work.getFirst().publish();
        return new Applied(decided, List.copyOf(work.getFirst().changed.values()));
    }

    /** The batch cannot be decided on cached state alone; thrown before anything is written. */
    private static final class NotDecidableOnCache extends RuntimeException {
        NotDecidableOnCache() {
            super(null, null, false, false);
        }
    }

    /** The work of one transaction; lives as long as it. */
    private final class Transaction {
        private final DSLContext tx;
        private final Map<List<Object>, Object> lookups = new HashMap<>();
        /** Each license as found (cache or database) at the start of this transaction, or after a management command. */
        private final Map<Long, LicenseState> original = new HashMap<>();
        /** Each license's row version: as found, then as written. */
        private final Map<Long, Long> versions = new HashMap<>();
        /** Each license as in the database (written or not yet changed). */
        private final Map<Long, LicenseState> loaded = new HashMap<>();
        /** Each license as decided so far. */
        private final Map<Long, LicenseState> current = new LinkedHashMap<>();
        /** What the cache learns once this transaction committed. */
        private final Map<LicenseStore.Key, Long> named = new HashMap<>();

        private final Map<Long, LicenseCache.Entry> settled = new HashMap<>();
        /** Licenses whose rows this transaction wrote, as last written. */
        private final Map<Long, LicenseCache.Entry> changed = new LinkedHashMap<>();

        private final Map<UUID, CommandResult> results = new HashMap<>();
        private final List<LedgerEntry> entries = new ArrayList<>();
        /** Commands whose Idempotency-Key this batch uses first. */
        private final List<Command> keyed = new ArrayList<>();

        private final boolean onCache;

        Transaction(DSLContext tx, boolean onCache) {
            this.tx = tx;
            this.onCache = onCache;
        }

        List<Decided> run(List<IncomingCommand> batch, Map<Integer, Long> committedOffsets) {
            List<Command> commands =
                    batch.stream().map(IncomingCommand::command).toList();
            Map<LicenseStore.Key, Long> knownIds = knownIds(commands);
            Map<UUID, LedgerEntry> stored;
            Map<Integer, Long> emittedThrough;
            Map<List<String>, Ledger.KeyUse> keyUses;
            if (onCache) {
                // Nothing read: every command is taken as new and every license as cached, which the writes check.
                stored = Map.of();
                emittedThrough = Map.of();
                keyUses = new HashMap<>();
                fromCache(commands, knownIds);
            } else {
                // The batch's reads in one round trip: the ledger's decisions, the emission marks, Idempotency-Keys,
                // and the locks and versions of the licenses the cache knows by name.
                BatchReads.Found found =
                        reads.read(tx, commands, committedOffsets, new java.util.HashSet<>(knownIds.values()));
                stored = found.decided();
                stored.forEach((id, entry) -> results.put(id, entry.result()));
                emittedThrough = found.emittedThrough();
                keyUses = new HashMap<>(found.keyUses());
                prefetch(commands, knownIds, found.lockedVersions());
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
                    throw new AnswerTooLargeException(
                            command.getClass().getSimpleName(), encoded.length, maxAnswerBytes);
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
            Object lookup = lookups.computeIfAbsent(
                    List.of(command.tenantId(), command.license()),
                    ignored -> find(command.tenantId(), command.license()));
            if (lookup instanceof RejectionType missing) {
                record(incoming, null, null, null, null, new CommandResult.CommandRejected(Rejection.of(missing)));
                return;
            }
            long licenseId = (Long) lookup;
            LicenseState state = current.get(licenseId);
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
                        after = store.save(tx, loaded.get(licenseId), after);
                        loaded.put(licenseId, after);
                    }
                    current.put(licenseId, after);
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
                    record(
                            incoming,
                            licenseId,
                            null,
                            null,
                            null,
                            new CommandResult.CommandRejected(rejected.rejection()));
            }
        }

        /** The ids the cache knows for the licenses the batch's license commands name. */
        private Map<LicenseStore.Key, Long> knownIds(List<Command> commands) {
            Map<LicenseStore.Key, Long> knownIds = new HashMap<>();
            for (Command command : commands) {
                if (command instanceof LicenseCommand licenseCommand) {
                    var key = new LicenseStore.Key(command.tenantId(), licenseCommand.license());
                    Long id = cache.idOf(key);
                    if (id != null) {
                        knownIds.put(key, id);
                    }
                }
            }
            return knownIds;
        }

        /** Every license the batch's commands name, as cached; {@link NotDecidableOnCache} when one is not. */
        private void fromCache(List<Command> commands, Map<LicenseStore.Key, Long> knownIds) {
            for (Command command : commands) {
                if (!(command instanceof LicenseCommand licenseCommand)) {
                    throw new NotDecidableOnCache();
                }
                var key = new LicenseStore.Key(command.tenantId(), licenseCommand.license());
                Long id = knownIds.get(key);
                LicenseCache.Entry entry = id == null ? null : cache.get(id);
                if (entry == null) {
                    throw new NotDecidableOnCache();
                }
                lookups.put(
                        List.of(key.tenantId(), key.ref()),
                        resolve(key, new LicenseStore.Lookup.Found(entry.state(), entry.version())));
            }
        }

        /**
         * Finds every license the batch's undecided license commands name: those the cache knows, locked with their
         * versions read by the batch's reads, from the cache, reloading the few whose version moved; the others by
         * name (locking them).
         */
        private void prefetch(
                List<Command> commands, Map<LicenseStore.Key, Long> knownIds, Map<Long, Long> lockedVersions) {
            List<LicenseStore.Key> keys = commands.stream()
                    .filter(command -> !results.containsKey(command.commandId()))
                    .filter(command -> command instanceof LicenseCommand)
                    .map(command -> new LicenseStore.Key(command.tenantId(), ((LicenseCommand) command).license()))
                    .distinct()
                    .toList();
            Map<Long, LicenseStore.Lookup.Found> usable = new HashMap<>();
            List<Long> moved = new ArrayList<>();
            lockedVersions.forEach((id, version) -> {
                LicenseCache.Entry entry = cache.get(id);
                if (entry != null && entry.version() == version) {
                    usable.put(id, new LicenseStore.Lookup.Found(entry.state(), entry.version()));
                } else {
                    moved.add(id);
                }
            });
            usable.putAll(store.load(tx, moved));
            List<LicenseStore.Key> unknown = new ArrayList<>();
            for (LicenseStore.Key key : keys) {
                LicenseStore.Lookup.Found found = knownIds.containsKey(key) ? usable.get(knownIds.get(key)) : null;
                if (found == null) {
                    unknown.add(key); // never found, or gone from the database since
                } else {
                    lookups.put(List.of(key.tenantId(), key.ref()), resolve(key, found));
                }
            }
            store.findAll(tx, unknown)
                    .forEach((key, lookup) -> lookups.put(List.of(key.tenantId(), key.ref()), resolve(key, lookup)));
        }

        private Object find(String tenantId, LicenseRef ref) {
            return resolve(new LicenseStore.Key(tenantId, ref), store.find(tx, tenantId, ref));
        }

        private Object resolve(LicenseStore.Key key, LicenseStore.Lookup lookup) {
            return switch (lookup) {
                case LicenseStore.Lookup.Missing missing -> missing.reason();
                case LicenseStore.Lookup.Found found -> {
                    long id = found.license().id();
                    named.put(key, id);
                    // Another name for a license already loaded in this batch must see its latest state.
                    if (!loaded.containsKey(id)) {
                        original.put(id, found.license());
                        versions.put(id, found.version());
                        loaded.put(id, found.license());
                        current.put(id, found.license());
                    }
                    yield id;
                }
            };
        }

        private void manage(IncomingCommand incoming, ManagementCommand command) {
            // Management commands may change licenses loaded in this batch (new feature copies): write what is
            // pending and load afresh afterwards.
            if (onCache) {
                throw new NotDecidableOnCache();
            }
            flush(false);
            lookups.clear();
            original.clear();
            versions.clear();
            loaded.clear();
            current.clear();
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
            current.forEach((id, state) -> {
                LicenseState before = loaded.get(id);
                if (!before.equals(state)) {
                    loaded.put(id, store.save(tx, before, state, pending));
                }
                if (!original.get(id).equals(loaded.get(id))) {
                    pending.touch(loaded.get(id));
                    differing.add(id);
                } else if (onCache) {
                    pending.touch(loaded.get(id)); // written unchanged, to check that its version still holds
                }
            });
            Map<Long, Long> written;
            if (onCache) {
                if (pending.changesDevicesOrFeatures()) {
                    throw new NotDecidableOnCache(); // their triggers move the versions the writes check
                }
                written = writes.writeCachedAndCommit(tx, pending, new HashMap<>(versions), keyed, entries);
            } else {
                written = last ? writes.write(tx, pending, keyed, entries) : store.write(tx, pending);
            }
            written.forEach((id, version) -> {
                versions.put(id, version);
                original.put(id, loaded.get(id));
                if (differing.contains(id)) {
                    changed.put(id, new LicenseCache.Entry(loaded.get(id), version));
                }
            });
            loaded.forEach((id, state) -> settled.put(id, new LicenseCache.Entry(state, versions.get(id))));
        }

        /** Tells the cache what this transaction found and wrote; only after it committed. */
        void publish() {
            named.forEach(cache::name);
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
}
