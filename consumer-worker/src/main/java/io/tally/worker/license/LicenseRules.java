package io.tally.worker.license;

import static io.tally.worker.license.Decision.reject;

import io.tally.protocol.CommandResult;
import io.tally.protocol.LicenseChange;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.RejectionType;
import io.tally.protocol.SeatEvent;
import io.tally.worker.floating.SeatChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The License API's rules for one license, as one pure function: no I/O, no clock but the command's accepted-at time,
 * the same answer for the same input, so replaying the commands topic reaches the same decisions.
 *
 * <p>Every meter first moves to the period that contains the accepted-at time (a total that resets daily starts again
 * at 0 on the first command of a new UTC day). Then the checks run in the reference's refusal order and the first
 * failing one wins: {@code license_not_enabled}, {@code license_not_active} (no active device at all),
 * {@code license_not_consumption} / {@code unsupported_product_feature}, {@code blacklisted}, {@code device_not_found},
 * {@code negative_consumptions_not_allowed}, then the limit. ({@code unknown_product} and {@code license_not_found}
 * are decided before, when there is no license to decide against.)
 *
 * <p>The limit: with {@code n} consumptions, refuse when not unlimited and {@code total + n > max +
 * (allow_overages ? max_overages : 0)}; reaching the limit exactly is allowed. A negative {@code n}, when allowed, never
 * takes the total below 0. A refusal changes nothing, not even the overage settings a request carried.
 */
public final class LicenseRules {

    private LicenseRules() {}

    public static Decision decide(LicenseState stored, LicenseCommand command) {
        Instant at = command.acceptedAt();
        LicenseState license = stored.at(at);
        return switch (command) {
            case LicenseCommand.ConsumeLicense consume -> consume(license, consume);
            case LicenseCommand.ConsumeFeature consume -> consumeFeature(license, consume);
            case LicenseCommand.ActivateLicense activate -> activate(license, activate);
            case LicenseCommand.DeactivateLicense deactivate -> deactivate(license, deactivate);
            case LicenseCommand.CheckLicense check ->
                license.floating() != null ? FloatingRules.checkIn(license, check) : check(license, check);
            case LicenseCommand.CheckFeature check -> checkFeature(license, check);
            case LicenseCommand.ChangeLicense change -> change(license, change);
            case LicenseCommand.ReleaseSeat release -> FloatingRules.release(license, release);
            case LicenseCommand.BorrowSeat borrow -> FloatingRules.borrow(license, borrow);
            case LicenseCommand.ExpireSeats expire -> FloatingRules.expire(license, expire);
        };
    }

    private static Decision consume(LicenseState license, LicenseCommand.ConsumeLicense command) {
        RejectionType refused = usable(license, command.hardwareId(), true);
        if (refused != null) {
            return reject(refused);
        }
        Meter meter = license.meter();
        if (command.consumptions() < 0 && !meter.allowNegative()) {
            return reject(RejectionType.NEGATIVE_CONSUMPTIONS_NOT_ALLOWED);
        }
        if (command.allowOverages() != null || command.maxOverages() != null) {
            meter = meter.withOverages(
                    command.allowOverages() != null ? command.allowOverages() : meter.allowOverages(),
                    command.maxOverages() != null ? command.maxOverages() : meter.maxOverages());
        }
        if (!meter.fits(command.consumptions())) {
            return reject(RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS);
        }
        LicenseState after = license.withMeter(meter.plus(command.consumptions()));
        return new Decision.Applied(
                license, after, saved -> new CommandResult.LicenseConsumed(LicenseViews.totals(saved)));
    }

    private static Decision consumeFeature(LicenseState license, LicenseCommand.ConsumeFeature command) {
        if (!license.enabled()) {
            return reject(RejectionType.LICENSE_NOT_ENABLED);
        }
        if (!license.hasActiveDevice()) {
            return reject(RejectionType.LICENSE_NOT_ACTIVE);
        }
        FeatureState feature = license.features().get(command.feature());
        if (feature == null || !FeatureState.CONSUMPTION.equals(feature.featureType())) {
            return reject(RejectionType.UNSUPPORTED_PRODUCT_FEATURE);
        }
        RejectionType device = deviceProblem(license, command.hardwareId());
        if (device != null) {
            return reject(device);
        }
        Meter meter = feature.meter();
        if (command.consumptions() < 0 && !meter.allowNegative()) {
            return reject(RejectionType.NEGATIVE_CONSUMPTIONS_NOT_ALLOWED);
        }
        if (!meter.fits(command.consumptions())) {
            return reject(RejectionType.FEATURE_NOT_ENOUGH_CONSUMPTIONS);
        }
        LicenseState after = license.withFeature(feature.with(meter.plus(command.consumptions())));
        String code = feature.code();
        return new Decision.Applied(
                license,
                after,
                saved -> new CommandResult.FeatureConsumed(
                        LicenseViews.feature(saved.features().get(code), command.acceptedAt())));
    }

    private static Decision activate(LicenseState license, LicenseCommand.ActivateLicense command) {
        if (license.username() != null && !PasswordHashing.matches(license.passwordHash(), command.passwordDigest())) {
            return reject(RejectionType.INVALID_PASSWORD);
        }
        if (!license.enabled()) {
            return reject(RejectionType.LICENSE_NOT_ENABLED);
        }
        DeviceState device = license.devices().get(command.hardwareId());
        if (device != null && device.blacklisted()) {
            return reject(RejectionType.BLACKLISTED);
        }
        boolean alreadyActive = device != null && device.active();
        if (!alreadyActive && license.activeDevices() >= license.maxActivations()) {
            return reject(RejectionType.LICENSE_ACTIVATED_MAX_TIMES);
        }
        DeviceState activated = (device != null
                        ? device
                        : new DeviceState(0, command.hardwareId(), false, false, null, command.device()))
                .asActivated(alreadyActive ? device.activatedAt() : command.acceptedAt(), command.device());
        LicenseState after = license.withDevice(activated);
        return new Decision.Applied(license, after, saved -> checked(saved, command));
    }

    private static Decision deactivate(LicenseState license, LicenseCommand.DeactivateLicense command) {
        RejectionType device = deviceProblem(license, command.hardwareId());
        if (device != null) {
            return reject(device);
        }
        LicenseState after = license;
        Integer consumptions = command.consumptions();
        if (consumptions != null && consumptions != 0) {
            // Buffered usage is added first; if it cannot be, the device stays active so the client can retry.
            if (!LicenseState.CONSUMPTION_TYPE.equals(license.licenseType())) {
                return reject(RejectionType.LICENSE_NOT_CONSUMPTION);
            }
            Meter meter = license.meter();
            if (consumptions < 0 && !meter.allowNegative()) {
                return reject(RejectionType.NEGATIVE_CONSUMPTIONS_NOT_ALLOWED);
            }
            if (!meter.fits(consumptions)) {
                return reject(RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS);
            }
            after = after.withMeter(meter.plus(consumptions));
        }
        after = after.withDevice(license.devices().get(command.hardwareId()).asDeactivated());
        List<SeatChange> freed = new ArrayList<>();
        after = FloatingRules.releaseAll(after, command.hardwareId(), command.acceptedAt(), freed);
        List<SeatEvent> seats = FloatingRules.events(freed);
        return new Decision.Applied(license, after, saved -> new CommandResult.LicenseDeactivated(seats));
    }

    private static Decision check(LicenseState license, LicenseCommand.CheckLicense command) {
        RejectionType refused = usable(license, command.hardwareId(), false);
        if (refused != null) {
            return reject(refused);
        }
        return new Decision.Applied(license, license, saved -> checked(saved, command));
    }

    private static Decision checkFeature(LicenseState license, LicenseCommand.CheckFeature command) {
        RejectionType refused = usable(license, command.hardwareId(), false);
        if (refused != null) {
            return reject(refused);
        }
        FeatureState feature = license.features().get(command.feature());
        if (feature == null) {
            return reject(RejectionType.INVALID_LICENSE_FEATURE_CODE);
        }
        if (feature.floating() != null) {
            return FloatingRules.checkFeature(license, feature, command);
        }
        return new Decision.Applied(
                license,
                license,
                saved -> new CommandResult.FeatureChecked(LicenseViews.feature(feature, command.acceptedAt())));
    }

    private static Decision change(LicenseState license, LicenseCommand.ChangeLicense command) {
        if (command.license().licenseId() != license.id()) {
            return reject(RejectionType.NOT_FOUND);
        }
        LicenseState after = switch (command.change()) {
            case LicenseChange.Read read -> license;
            case LicenseChange.ResetConsumption reset ->
                license.withMeter(license.meter().withTotal(0));
            case LicenseChange.SetEnabled enabled -> license.withEnabled(enabled.enabled());
            case LicenseChange.OverrideFeature override -> {
                FeatureState feature = license.features().values().stream()
                        .filter(candidate -> candidate.productFeatureId() == override.productFeatureId())
                        .findFirst()
                        .orElse(null);
                yield feature == null
                        ? null
                        : license.withFeature(feature.with(feature.meter().with(override.settings())));
            }
            case LicenseChange.UpdateFloating update ->
                FloatingRules.update(license, update.floating(), command.acceptedAt());
            case LicenseChange.BlacklistDevice blacklist -> {
                DeviceState device = license.devices().values().stream()
                        .filter(candidate -> candidate.id() == blacklist.deviceId())
                        .findFirst()
                        .orElse(null);
                yield device == null ? null : license.withDevice(device.asBlacklisted());
            }
        };
        if (after == null) {
            return reject(RejectionType.NOT_FOUND);
        }
        return new Decision.Applied(license, after, saved -> checked(saved, command));
    }

    private static CommandResult checked(LicenseState saved, LicenseCommand command) {
        return new CommandResult.LicenseChecked(
                LicenseViews.license(saved, command.hardwareId(), command.acceptedAt()));
    }

    /**
     * The refusal, in reference order, for a call that needs an enabled license with an active device that is this
     * one; {@code null} when the license may be used. With {@code consumption}, the license must also be of the
     * consumption type.
     */
    /** As {@link #usable(LicenseState, String, boolean)} for a call that does not consume. */
    static RejectionType usable(LicenseState license, String hardwareId) {
        return usable(license, hardwareId, false);
    }

    private static RejectionType usable(LicenseState license, String hardwareId, boolean consumption) {
        if (!license.enabled()) {
            return RejectionType.LICENSE_NOT_ENABLED;
        }
        if (!license.hasActiveDevice()) {
            return RejectionType.LICENSE_NOT_ACTIVE;
        }
        if (consumption && !LicenseState.CONSUMPTION_TYPE.equals(license.licenseType())) {
            return RejectionType.LICENSE_NOT_CONSUMPTION;
        }
        return deviceProblem(license, hardwareId);
    }

    private static RejectionType deviceProblem(LicenseState license, String hardwareId) {
        DeviceState device = license.devices().get(hardwareId);
        if (device != null && device.blacklisted()) {
            return RejectionType.BLACKLISTED;
        }
        if (device == null || !device.active()) {
            return RejectionType.DEVICE_NOT_FOUND;
        }
        return null;
    }
}
