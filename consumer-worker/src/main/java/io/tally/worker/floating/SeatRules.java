package io.tally.worker.floating;

import io.tally.protocol.RejectionType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The seat rules of floating-cloud licenses and features, as pure functions of a pool, the settings and the command's
 * accepted-at time: no clock of the worker's, so a replay of the commands topic reaches every decision again (ADR 25).
 *
 * <p>Every decision first frees the seats that have ended by its time ({@link SeatChange.Kind#EXPIRED}, each at its
 * own end), then:
 *
 * <ul>
 *   <li>a check-in renews the device's seat, or takes a free one, or is refused {@code floating_not_available};
 *   <li>a borrow (when the settings allow it) holds the device's seat, taking one if it has none, until the time asked
 *       for, which must be after the borrow and at most {@code max_borrow_time} hours after it
 *       ({@code borrow_until_not_valid}); none asked for means the longest;
 *   <li>a release frees the device's seat at once; a device holding none is refused with {@code notHeld}.
 * </ul>
 *
 * A refusal changes nothing, not even the expiries (the next decision makes them).
 */
public final class SeatRules {

    private SeatRules() {}

    /**
     * The pool after a decision, the changes it made in order, and the device's seat after it; or the refusal.
     *
     * @param seat the device's seat after the decision ({@code null} after a release or a refusal)
     */
    public record Outcome(SeatPool pool, List<SeatChange> changes, Seat seat, RejectionType refusal) {

        public boolean refused() {
            return refusal != null;
        }

        static Outcome refuse(SeatPool pool, RejectionType refusal) {
            return new Outcome(pool, List.of(), null, refusal);
        }
    }

    /** Frees every seat that has ended by {@code at}. */
    public static Outcome expire(SeatPool pool, String feature, Instant at) {
        List<SeatChange> changes = new ArrayList<>();
        SeatPool after = expired(pool, feature, at, changes);
        return new Outcome(after, List.copyOf(changes), null, null);
    }

    /** A check-in of {@code hardwareId} at {@code at}: renew its seat or take a free one. */
    public static Outcome checkIn(
            SeatPool pool, String feature, FloatingSettings settings, String hardwareId, Instant at) {
        List<SeatChange> changes = new ArrayList<>();
        SeatPool live = expired(pool, feature, at, changes);
        Seat held = live.seat(hardwareId).orElse(null);
        if (held == null && live.size() >= settings.users()) {
            return Outcome.refuse(pool, RejectionType.FLOATING_NOT_AVAILABLE);
        }
        Seat seat = Seat.checkedIn(hardwareId, at, held == null ? null : held.borrowedUntil(), settings);
        changes.add(new SeatChange(held == null ? SeatChange.Kind.TAKEN : SeatChange.Kind.RENEWED, feature, at, seat));
        return new Outcome(live.with(seat), List.copyOf(changes), seat, null);
    }

    /**
     * A borrow by {@code hardwareId} at {@code at} until {@code requestedUntil} ({@code null}: the longest allowed).
     */
    public static Outcome borrow(
            SeatPool pool,
            String feature,
            FloatingSettings settings,
            String hardwareId,
            Instant at,
            Instant requestedUntil) {
        if (!settings.canBorrow() || settings.maxBorrowHours() == 0) {
            return Outcome.refuse(pool, RejectionType.LICENSE_BORROW_NOT_ALLOWED);
        }
        Instant longest = at.plus(settings.maxBorrow());
        Instant until = requestedUntil == null ? longest : requestedUntil;
        if (!until.isAfter(at) || until.isAfter(longest)) {
            return Outcome.refuse(pool, RejectionType.BORROW_UNTIL_NOT_VALID);
        }
        List<SeatChange> changes = new ArrayList<>();
        SeatPool live = expired(pool, feature, at, changes);
        Seat held = live.seat(hardwareId).orElse(null);
        if (held == null && live.size() >= settings.users()) {
            return Outcome.refuse(pool, RejectionType.FLOATING_NOT_AVAILABLE);
        }
        Seat seat = Seat.checkedIn(hardwareId, at, until, settings);
        changes.add(new SeatChange(SeatChange.Kind.BORROWED, feature, at, seat));
        return new Outcome(live.with(seat), List.copyOf(changes), seat, null);
    }

    /** A release of {@code hardwareId}'s seat at {@code at}; refused with {@code notHeld} when it holds none. */
    public static Outcome release(SeatPool pool, String feature, String hardwareId, Instant at, RejectionType notHeld) {
        List<SeatChange> changes = new ArrayList<>();
        SeatPool live = expired(pool, feature, at, changes);
        Seat held = live.seat(hardwareId).orElse(null);
        if (held == null) {
            return Outcome.refuse(pool, notHeld);
        }
        changes.add(new SeatChange(SeatChange.Kind.RELEASED, feature, at, held));
        return new Outcome(live.without(hardwareId), List.copyOf(changes), null, null);
    }

    private static SeatPool expired(SeatPool pool, String feature, Instant at, List<SeatChange> changes) {
        SeatPool live = pool;
        for (Seat ended : pool.ended(at)) {
            changes.add(new SeatChange(SeatChange.Kind.EXPIRED, feature, ended.heldUntil(), ended));
            live = live.without(ended.hardwareId());
        }
        return live;
    }
}
