package io.tally.worker.license;

import static io.tally.worker.license.Decision.reject;

import io.tally.protocol.CommandResult;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.RejectionType;
import io.tally.protocol.SeatEvent;
import io.tally.worker.floating.FloatingSettings;
import io.tally.worker.floating.SeatChange;
import io.tally.worker.floating.SeatRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The License API's floating calls for one license, as pure functions ({@link LicenseRules} sends them here): the
 * license's checks first, in the same order as for any call ({@code license_not_enabled}, {@code license_not_active},
 * {@code blacklisted}, {@code device_not_found}), then the seat rules ({@link SeatRules}) on the license's own pool or
 * one floating feature's. Feature borrows follow the license's {@code can_borrow} and {@code max_borrow_time}.
 */
final class FloatingRules {

    private FloatingRules() {}

    /** {@code check_license} on a floating-cloud license: takes or renews the device's seat. */
    static Decision checkIn(LicenseState license, LicenseCommand.CheckLicense command) {
        RejectionType refused = LicenseRules.usable(license, command.hardwareId());
        if (refused != null) {
            return reject(refused);
        }
        var outcome = SeatRules.checkIn(
                license.seats(), null, license.floating(), command.hardwareId(), command.acceptedAt());
        if (outcome.refused()) {
            return reject(outcome.refusal());
        }
        LicenseState after = license.withSeats(outcome.pool(), outcome.changes());
        List<SeatEvent> seats = events(outcome.changes());
        return new Decision.Applied(
                license,
                after,
                saved -> new CommandResult.LicenseChecked(
                        LicenseViews.license(saved, command.hardwareId(), command.acceptedAt()), seats));
    }

    /** {@code check_license_feature} on a floating feature: takes or renews the device's seat on it. */
    static Decision checkFeature(LicenseState license, FeatureState feature, LicenseCommand.CheckFeature command) {
        var outcome = SeatRules.checkIn(
                feature.seats(), feature.code(), feature.floating(), command.hardwareId(), command.acceptedAt());
        if (outcome.refused()) {
            return reject(outcome.refusal());
        }
        LicenseState after = license.withFeatureSeats(feature.code(), outcome.pool(), outcome.changes());
        List<SeatEvent> seats = events(outcome.changes());
        String code = feature.code();
        return new Decision.Applied(
                license,
                after,
                saved -> new CommandResult.FeatureChecked(
                        LicenseViews.feature(saved.features().get(code), command.acceptedAt()), seats));
    }

    /** {@code floating/release} and {@code floating/feature_release}. */
    static Decision release(LicenseState license, LicenseCommand.ReleaseSeat command) {
        RejectionType refused = LicenseRules.usable(license, command.hardwareId());
        if (refused != null) {
            return reject(refused);
        }
        Instant at = command.acceptedAt();
        if (command.feature() == null) {
            if (license.floating() == null) {
                return reject(RejectionType.FLOATING_NOT_AVAILABLE);
            }
            var outcome = SeatRules.release(
                    license.seats(), null, command.hardwareId(), at, RejectionType.FLOATING_NOT_AVAILABLE);
            return outcome.refused()
                    ? reject(outcome.refusal())
                    : released(license, license.withSeats(outcome.pool(), outcome.changes()), outcome.changes());
        }
        FeatureState feature = license.features().get(command.feature());
        RejectionType notFloating = floatingFeatureProblem(feature);
        if (notFloating != null) {
            return reject(notFloating);
        }
        var outcome = SeatRules.release(
                feature.seats(),
                feature.code(),
                command.hardwareId(),
                at,
                RejectionType.FLOATING_FEATURE_DEVICE_NOT_IN_USE);
        return outcome.refused()
                ? reject(outcome.refusal())
                : released(
                        license,
                        license.withFeatureSeats(feature.code(), outcome.pool(), outcome.changes()),
                        outcome.changes());
    }

    /** {@code floating/borrow} and {@code floating/feature_borrow}. */
    static Decision borrow(LicenseState license, LicenseCommand.BorrowSeat command) {
        RejectionType refused = LicenseRules.usable(license, command.hardwareId());
        if (refused != null) {
            return reject(refused);
        }
        FloatingSettings settings = license.floating();
        if (settings == null) {
            return reject(RejectionType.LICENSE_BORROW_NOT_ALLOWED);
        }
        Instant at = command.acceptedAt();
        LicenseState after;
        SeatRules.Outcome outcome;
        if (command.feature() == null) {
            outcome = SeatRules.borrow(
                    license.seats(), null, settings, command.hardwareId(), at, command.borrowedUntil());
            after = outcome.refused() ? null : license.withSeats(outcome.pool(), outcome.changes());
        } else {
            FeatureState feature = license.features().get(command.feature());
            RejectionType notFloating = floatingFeatureProblem(feature);
            if (notFloating != null) {
                return reject(notFloating);
            }
            FloatingSettings featureSettings = new FloatingSettings(
                    feature.floating().users(),
                    feature.floating().timeoutMinutes(),
                    settings.canBorrow(),
                    settings.maxBorrowHours());
            outcome = SeatRules.borrow(
                    feature.seats(),
                    feature.code(),
                    featureSettings,
                    command.hardwareId(),
                    at,
                    command.borrowedUntil());
            after = outcome.refused()
                    ? null
                    : license.withFeatureSeats(feature.code(), outcome.pool(), outcome.changes());
        }
        if (outcome.refused()) {
            return reject(outcome.refusal());
        }
        List<SeatEvent> seats = events(outcome.changes());
        Instant until = outcome.seat().borrowedUntil();
        return new Decision.Applied(license, after, saved -> {
            DeviceState device = saved.devices().get(command.hardwareId());
            return new CommandResult.SeatBorrowed(
                    until, settings.maxBorrowHours(), device == null ? null : device.id(), saved.id(), seats);
        });
    }

    /** Frees every seat of the license and its features that has ended by the command's time (possibly none). */
    static Decision expire(LicenseState license, LicenseCommand.ExpireSeats command) {
        Instant at = command.acceptedAt();
        List<SeatChange> changes = new ArrayList<>();
        LicenseState after = license;
        var own = SeatRules.expire(license.seats(), null, at);
        if (!own.changes().isEmpty()) {
            after = after.withSeats(own.pool(), own.changes());
            changes.addAll(own.changes());
        }
        for (FeatureState feature : license.features().values()) {
            var expired = SeatRules.expire(feature.seats(), feature.code(), at);
            if (!expired.changes().isEmpty()) {
                after = after.withFeatureSeats(feature.code(), expired.pool(), expired.changes());
                changes.addAll(expired.changes());
            }
        }
        List<SeatEvent> seats = events(changes);
        return new Decision.Applied(license, after, saved -> new CommandResult.SeatsExpired(seats));
    }

    /**
     * {@code after} (the license once {@code hardwareId} is deactivated) with that device's seats freed too: a device
     * that may no longer check in must not keep a seat until it times out. Returns the changes made into
     * {@code changes}.
     */
    static LicenseState releaseAll(LicenseState after, String hardwareId, Instant at, List<SeatChange> changes) {
        LicenseState released = after;
        if (after.seats().seat(hardwareId).isPresent()) {
            var outcome = SeatRules.release(after.seats(), null, hardwareId, at, RejectionType.FLOATING_NOT_AVAILABLE);
            released = released.withSeats(outcome.pool(), outcome.changes());
            changes.addAll(outcome.changes());
        }
        for (FeatureState feature : after.features().values()) {
            if (feature.seats().seat(hardwareId).isPresent()) {
                var outcome = SeatRules.release(
                        feature.seats(),
                        feature.code(),
                        hardwareId,
                        at,
                        RejectionType.FLOATING_FEATURE_DEVICE_NOT_IN_USE);
                released = released.withFeatureSeats(feature.code(), outcome.pool(), outcome.changes());
                changes.addAll(outcome.changes());
            }
        }
        return released;
    }

    /**
     * The license with the floating settings {@code spec} gives (the others as they are, or the defaults when it was
     * not floating); made not floating, every seat it holds is freed at {@code at}.
     */
    static LicenseState update(LicenseState license, io.tally.protocol.FloatingSpec spec, Instant at) {
        FloatingSettings current = license.floating() != null ? license.floating() : DEFAULTS;
        boolean floating = spec.isFloatingCloud() != null ? spec.isFloatingCloud() : license.floating() != null;
        if (!floating) {
            List<SeatChange> freed = new ArrayList<>();
            var pool = license.seats();
            for (var seat : List.copyOf(pool.seats())) {
                var outcome =
                        SeatRules.release(pool, null, seat.hardwareId(), at, RejectionType.FLOATING_NOT_AVAILABLE);
                pool = outcome.pool();
                freed.addAll(outcome.changes());
            }
            return license.withFloating(null, pool, freed);
        }
        FloatingSettings updated = new FloatingSettings(
                spec.floatingUsers() != null ? spec.floatingUsers() : current.users(),
                spec.floatingTimeout() != null ? spec.floatingTimeout() : current.timeoutMinutes(),
                spec.canBorrow() != null ? spec.canBorrow() : current.canBorrow(),
                spec.maxBorrowTime() != null ? spec.maxBorrowTime() : current.maxBorrowHours());
        return license.withFloating(updated, license.seats(), List.of());
    }

    /** A license made floating without saying how: one seat, held two hours, no borrowing (ADR 25). */
    static final FloatingSettings DEFAULTS = new FloatingSettings(1, 120, false, 0);

    /** The seat changes as reported in results and events. */
    static List<SeatEvent> events(List<SeatChange> changes) {
        return changes.stream()
                .map(change -> new SeatEvent(
                        change.kind().name().toLowerCase(Locale.ROOT),
                        change.feature(),
                        change.seat().hardwareId(),
                        change.at(),
                        change.seat().heldUntil(),
                        change.seat().borrowedUntil()))
                .toList();
    }

    private static Decision released(LicenseState license, LicenseState after, List<SeatChange> changes) {
        List<SeatEvent> seats = events(changes);
        return new Decision.Applied(license, after, saved -> new CommandResult.SeatReleased(seats));
    }

    private static RejectionType floatingFeatureProblem(FeatureState feature) {
        if (feature == null) {
            return RejectionType.INVALID_LICENSE_FEATURE_CODE;
        }
        return feature.floating() == null ? RejectionType.FEATURE_NOT_FLOATING : null;
    }
}
