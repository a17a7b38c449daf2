package io.tally.worker.consumption;

import io.tally.protocol.Rejection;
import io.tally.protocol.RejectionType;

/**
 * The License API's consumption rules as one pure function: no I/O, no clock, same answer for the same input, so
 * replaying the commands topic reaches the same decisions.
 *
 * <p>Checks run in the reference's refusal order and the first failing one wins: {@code license_not_enabled},
 * {@code license_not_active} (no active device at all), {@code license_not_consumption}, {@code blacklisted},
 * {@code device_not_found}, {@code negative_consumptions_not_allowed}, then the limit. ({@code unknown_product} and
 * {@code license_not_found} are decided before, when no license state exists.)
 *
 * <p>The limit: with {@code n} consumptions, refuse when not unlimited and {@code total + n > max_consumptions +
 * (allow_overages ? max_overages : 0)}; reaching the limit exactly is allowed. Overage settings sent with the request
 * replace the stored ones before the check, and are kept only when the command is applied: a refusal changes nothing.
 * A negative {@code n}, when allowed, never takes the total below zero.
 */
final class ConsumptionRules {

    private ConsumptionRules() {}

    /**
     * @param allowOverages replaces the stored setting when not {@code null}
     * @param maxOverages replaces the stored setting when not {@code null}
     */
    static Decision consume(
            LicenseState license, String hardwareId, int consumptions, Boolean allowOverages, Integer maxOverages) {
        if (!license.enabled()) {
            return reject(RejectionType.LICENSE_NOT_ENABLED);
        }
        if (!license.hasActiveDevice()) {
            return reject(RejectionType.LICENSE_NOT_ACTIVE);
        }
        if (!LicenseState.CONSUMPTION_TYPE.equals(license.licenseType())) {
            return reject(RejectionType.LICENSE_NOT_CONSUMPTION);
        }
        DeviceStatus device = license.device(hardwareId);
        if (device == DeviceStatus.BLACKLISTED) {
            return reject(RejectionType.BLACKLISTED);
        }
        if (device != DeviceStatus.ACTIVE) {
            return reject(RejectionType.DEVICE_NOT_FOUND);
        }
        ConsumptionSettings settings = license.consumption();
        if (consumptions < 0 && !settings.allowNegativeConsumptions()) {
            return reject(RejectionType.NEGATIVE_CONSUMPTIONS_NOT_ALLOWED);
        }
        if (allowOverages != null || maxOverages != null) {
            settings = settings.withOverages(
                    allowOverages != null ? allowOverages : settings.allowOverages(),
                    maxOverages != null ? maxOverages : settings.maxOverages());
        }
        // long arithmetic: totals are 64-bit, consumptions 32-bit, so the sum cannot overflow for any stored total
        // below Long.MAX_VALUE - Integer.MAX_VALUE.
        long newTotal = settings.totalConsumptions() + consumptions;
        if (newTotal > settings.limit()) {
            return reject(RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS);
        }
        return new Decision.Applied(license, license.withConsumption(settings.withTotal(Math.max(0, newTotal))));
    }

    private static Decision reject(RejectionType type) {
        return new Decision.Rejected(Rejection.of(type));
    }
}
