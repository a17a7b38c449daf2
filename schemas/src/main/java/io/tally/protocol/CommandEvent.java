package io.tally.protocol;

import java.time.Instant;
import java.util.UUID;

/**
 * One decided command, on {@link Topics#EVENTS} (key = the command's partition key), for analytics. Every applied or
 * refused command appears exactly once for a {@code read_committed} consumer, in per-license order.
 *
 * @param eventId stable: the command's id, the same however often the command is delivered or replayed
 * @param command what was asked ({@code ConsumeLicense}, {@code ActivateLicense}, ...)
 * @param outcome what happened ({@code LicenseConsumed}, {@code CommandRejected}, ...; {@code Replayed} for an
 *     Idempotency-Key retry answered with an earlier result)
 * @param licenseId the license decided against, or {@code null} when there was none
 * @param consumptionsRequested units asked for by consumption commands, else {@code null}
 * @param consumptionsApplied by how much the consumed total moved ({@code 0} when refused), else {@code null}
 * @param totalBefore the consumed meter's total before (license or feature), else {@code null}
 * @param rejectionCode the refusal's code, or {@code null}
 * @param acceptedAt when the gateway accepted the request
 * @param appliedAt when the worker decided it
 * @param seats the floating seats the command took, renewed, borrowed, released or found expired, in order; absent
 *     when none
 */
public record CommandEvent(
        UUID eventId,
        String command,
        String outcome,
        String tenantId,
        String product,
        String licenseKey,
        String username,
        Long licenseId,
        String feature,
        String hardwareId,
        Integer consumptionsRequested,
        Long consumptionsApplied,
        Long totalBefore,
        Long totalAfter,
        String rejectionCode,
        Instant acceptedAt,
        Instant appliedAt,

        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
        java.util.List<SeatEvent> seats) {

    public CommandEvent {
        seats = seats == null ? java.util.List.of() : java.util.List.copyOf(seats);
    }
}
