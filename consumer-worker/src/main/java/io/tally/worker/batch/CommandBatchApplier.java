package io.tally.worker.batch;

import io.tally.protocol.Command;
import io.tally.protocol.CommandReply;
import io.tally.worker.ledger.Ledger;
import io.tally.worker.ledger.LedgerEntry;
import io.tally.worker.license.LicenseCache;
import io.tally.worker.license.LicenseStore;
import io.tally.worker.management.ManagementHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private final Parts parts;
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
        this.parts = new Parts(
                ledger,
                store,
                cache,
                management,
                clock,
                codec,
                maxAnswerBytes,
                new BatchReads(ledger),
                new BatchWrites(ledger, store));
    }

    /** What every transaction of this applier works with. */
    record Parts(
            Ledger ledger,
            LicenseStore store,
            LicenseCache cache,
            ManagementHandler management,
            java.time.Clock clock,
            io.tally.protocol.ProtocolCodec codec,
            int maxAnswerBytes,
            BatchReads reads,
            BatchWrites writes) {}

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
        var work = new ArrayList<BatchTransaction>(1);
        List<Decided> decided = dsl.transactionResult(configuration -> {
            // A retried transaction starts over with nothing staged.
            work.clear();
            work.add(new BatchTransaction(configuration.dsl(), onCache, parts));
            return work.getFirst().run(batch, committedOffsets);
        });
        work.getFirst().publish();
        return new Applied(decided, List.copyOf(work.getFirst().changed()));
    }
}
