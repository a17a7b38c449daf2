package io.tally.worker.batch;

import io.tally.protocol.Command;
import io.tally.protocol.CommandReply;
import io.tally.protocol.CommandResult;
import io.tally.protocol.Rejection;
import io.tally.worker.ledger.Ledger;
import io.tally.worker.ledger.LedgerEntry;
import io.tally.worker.license.LicenseCache;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Applies a batch so that no single command can stop its partition (ADR 19, guarantee 6).
 *
 * <p>A batch that fails for a transient reason ({@link CommandFailures#isTransient}) is thrown back, and the listener's
 * container retries it for as long as it takes. A batch that fails for any other reason is split in halves, each applied
 * in its own PostgreSQL transaction, in order, recursively, until the failing command stands alone; the others are
 * applied as if the batch had been delivered in smaller polls (their outcomes are the same: commands of one license are
 * still decided in order). The command found is refused: one ledger row in a transaction of its own, recording
 * {@code validation_error} or {@code internal_error} and nothing else, so that a redelivery is answered from the ledger
 * and the command is never tried again. A batch with {@code k} such commands among {@code n} costs about
 * {@code 2k log2(n)} extra transactions.
 *
 * <p>Idempotent like {@link CommandBatchApplier}: halves committed before a crash are answered from the ledger at the
 * redelivery. Not thread-safe per call; the listener calls it from one thread per partition set.
 */
@Component
public class IsolatingBatchApplier {

    private static final Logger LOGGER = LoggerFactory.getLogger(IsolatingBatchApplier.class);

    private final CommandBatchApplier applier;
    private final DSLContext dsl;
    private final Ledger ledger;
    private final java.time.Clock clock;

    public IsolatingBatchApplier(CommandBatchApplier applier, DSLContext dsl, Ledger ledger, java.time.Clock clock) {
        this.applier = applier;
        this.dsl = dsl;
        this.ledger = ledger;
        this.clock = clock;
    }

    /**
     * What a batch did, as {@link CommandBatchApplier.Applied}, and why each command isolated at this delivery was
     * refused (by command id; a one-line reason without secrets, for the dead letter).
     */
    public record Outcome(
            List<CommandBatchApplier.Decided> decided, List<LicenseCache.Entry> changed, Map<UUID, String> isolated) {}

    /**
     * Applies {@code batch}, isolating the commands that cannot be applied.
     *
     * @throws RuntimeException only for a transient failure: nothing of the failing part is committed, and applying the
     *     same batch again later is safe
     */
    public Outcome apply(List<IncomingCommand> batch, Map<Integer, Long> committedOffsets) {
        return Bisection.apply(
                batch,
                part -> {
                    CommandBatchApplier.Applied applied = applier.apply(part, committedOffsets);
                    return new Outcome(applied.decided(), applied.changed(), Map.of());
                },
                (incoming, failure) -> isolate(incoming, failure, committedOffsets),
                IsolatingBatchApplier::merge,
                CommandFailures::isTransient,
                (size, failure) -> LOGGER.warn(
                        "A batch of {} commands cannot be applied ({}); splitting it to isolate the command",
                        size,
                        CommandFailures.reason(failure)));
    }

    /**
     * Refuses the one command that failed alone: a ledger row of its own, nothing else changed. A command that lost a
     * race with another partition (a unique key taken meanwhile) is first tried once more, in a fresh transaction, so
     * that it gets its business answer ({@code license_exists}, ...) rather than a refusal.
     */
    private Outcome isolate(
            IncomingCommand incoming, RuntimeException firstFailure, Map<Integer, Long> committedOffsets) {
        RuntimeException failure = firstFailure;
        if (CommandFailures.isConflict(failure)) {
            try {
                CommandBatchApplier.Applied applied = applier.apply(List.of(incoming), committedOffsets);
                return new Outcome(applied.decided(), applied.changed(), Map.of());
            } catch (RuntimeException again) {
                if (CommandFailures.isTransient(again)) {
                    throw again;
                }
                failure = again;
            }
        }
        Command command = incoming.command();
        String reason = CommandFailures.reason(failure);
        Rejection rejection = CommandFailures.rejectionFor(failure, command.commandId());
        try (var ignored =
                org.slf4j.MDC.putCloseable("request_id", command.commandId().toString())) {
            LOGGER.warn(
                    "Command {} at partition {} offset {} cannot be applied; refused with {} and dead-lettered: {}",
                    command.getClass().getSimpleName(),
                    incoming.partition(),
                    incoming.offset(),
                    rejection.type().code(),
                    reason);
        }
        // Only what is certainly storable: the values of the command may be what failed.
        LedgerEntry entry = new LedgerEntry(
                command.commandId(),
                command.tenantId(),
                null,
                command.getClass().getSimpleName(),
                null,
                null,
                null,
                CommandResult.CommandRejected.class.getSimpleName(),
                rejection.type().code(),
                null,
                null,
                command.acceptedAt(),
                clock.instant(),
                incoming.partition(),
                incoming.offset(),
                new CommandResult.CommandRejected(rejection));
        try {
            dsl.transaction(configuration -> ledger.write(configuration.dsl(), List.of(entry)));
        } catch (RuntimeException unrecorded) {
            if (CommandFailures.isTransient(unrecorded)) {
                throw unrecorded;
            }
            LOGGER.warn(
                    "The refusal of command {} cannot be stored in the ledger either: {}",
                    command.commandId(),
                    CommandFailures.reason(unrecorded));
            if (CommandFailures.isConflict(unrecorded)) {
                // Its id is in the ledger already: it was decided, but its stored outcome cannot be answered. Saying
                // "nothing changed" could be false, and its event went out with its first delivery.
                var unanswerable = new CommandResult.CommandRejected(new io.tally.protocol.Rejection(
                        io.tally.protocol.RejectionType.INTERNAL_ERROR,
                        "The request was decided but its outcome cannot be read (request " + command.commandId()
                                + ")"));
                var decided = new CommandBatchApplier.Decided(
                        command, new CommandReply(command.commandId(), unanswerable), null, false);
                return new Outcome(List.of(decided), List.of(), Map.of(command.commandId(), reason));
            }
            // Not even its refusal can be stored (an accepted-at outside every ledger month): the dead letter and
            // the event are then its only record.
        }
        var decided = new CommandBatchApplier.Decided(
                command, new CommandReply(command.commandId(), entry.result()), entry, true);
        return new Outcome(List.of(decided), List.of(), Map.of(command.commandId(), reason));
    }

    /**
     * The outcome of two consecutive parts: decisions in order, each command's event emitted once (a command twice in
     * the batch is decided in the first part and answered from the ledger in the second), each license's latest state.
     */
    private static Outcome merge(Outcome first, Outcome second) {
        Set<UUID> emitted = new HashSet<>();
        List<CommandBatchApplier.Decided> decided =
                new ArrayList<>(first.decided().size() + second.decided().size());
        for (List<CommandBatchApplier.Decided> part : List.of(first.decided(), second.decided())) {
            for (CommandBatchApplier.Decided one : part) {
                boolean firstSeen = emitted.add(one.command().commandId());
                boolean emit = firstSeen && one.emitEvent();
                decided.add(emit == one.emitEvent() ? one : one.withEmitEvent(false));
            }
        }
        Map<Long, LicenseCache.Entry> changed = new LinkedHashMap<>();
        first.changed().forEach(entry -> changed.put(entry.state().id(), entry));
        second.changed().forEach(entry -> changed.put(entry.state().id(), entry));
        Map<UUID, String> isolated = new LinkedHashMap<>(first.isolated());
        isolated.putAll(second.isolated());
        return new Outcome(decided, List.copyOf(changed.values()), isolated);
    }
}
