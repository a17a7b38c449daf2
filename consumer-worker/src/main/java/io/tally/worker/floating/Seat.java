package io.tally.worker.floating;

import java.time.Instant;
import java.util.Objects;

/**
 * One device's seat: held until its {@code heldUntil}, the later of its last check-in plus the timeout and the end of
 * its borrow. From {@code heldUntil} on it is free, whether or not anything has said so yet.
 *
 * @param checkedInAt the accepted-at time of the device's last check-in (or borrow)
 * @param borrowedUntil the end of the device's borrow, or {@code null}
 */
public record Seat(String hardwareId, Instant checkedInAt, Instant borrowedUntil, Instant heldUntil) {

    public Seat {
        Objects.requireNonNull(hardwareId, "hardwareId");
        Objects.requireNonNull(checkedInAt, "checkedInAt");
        Objects.requireNonNull(heldUntil, "heldUntil");
    }

    /** A seat checked in at {@code at} under {@code settings}, keeping a borrow that lasts longer. */
    static Seat checkedIn(String hardwareId, Instant at, Instant borrowedUntil, FloatingSettings settings) {
        Instant byTimeout = at.plus(settings.timeout());
        Instant borrow = borrowedUntil != null && borrowedUntil.isAfter(at) ? borrowedUntil : null;
        return new Seat(hardwareId, at, borrow, borrow != null && borrow.isAfter(byTimeout) ? borrow : byTimeout);
    }

    /** Whether the seat is still held at {@code at}. */
    public boolean heldAt(Instant at) {
        return at.isBefore(heldUntil);
    }

    public boolean borrowedAt(Instant at) {
        return borrowedUntil != null && at.isBefore(borrowedUntil);
    }
}
