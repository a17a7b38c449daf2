package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One change to a floating seat, reported in the result and the event of the command that decided it, exactly once.
 *
 * @param kind {@code taken}, {@code renewed}, {@code borrowed}, {@code released} or {@code expired}
 * @param feature the floating feature's code, or {@code null} for the license's own seats
 * @param at when: the command's accepted-at time, or for {@code expired} the instant the seat ended
 * @param heldUntil until when the seat is (or was) held
 * @param borrowedUntil the end of the device's borrow, or {@code null}
 */
public record SeatEvent(
        String kind,
        @JsonInclude(JsonInclude.Include.NON_NULL) String feature,
        String hardwareId,
        Instant at,
        Instant heldUntil,
        @JsonInclude(JsonInclude.Include.NON_NULL) Instant borrowedUntil) {}
