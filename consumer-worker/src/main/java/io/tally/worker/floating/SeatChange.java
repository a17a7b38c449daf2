package io.tally.worker.floating;

import java.time.Instant;

/**
 * One change to a seat, as the decision that made it saw it; each is written to the seat table and reported once in
 * the event of the command that decided it.
 *
 * @param feature the floating feature's code, or {@code null} for the license's own seats
 * @param at when it happened: the command's accepted-at time, or for {@link Kind#EXPIRED} the seat's end
 * @param seat the seat after the change, or as it was before it was freed ({@link Kind#RELEASED}, {@link Kind#EXPIRED})
 */
public record SeatChange(Kind kind, String feature, Instant at, Seat seat) {

    public enum Kind {
        /** A device without a seat got one. */
        TAKEN,
        /** A device holding a seat checked in again. */
        RENEWED,
        /** A device borrowed its seat (taking one if it had none) until a time. */
        BORROWED,
        /** A device gave its seat back (a release, or its deactivation). */
        RELEASED,
        /** A seat's time ran out. */
        EXPIRED;

        /** Whether the seat is held after the change. */
        public boolean held() {
            return this == TAKEN || this == RENEWED || this == BORROWED;
        }
    }
}
