package io.tally.worker.consumption;

import io.tally.protocol.LicenseTotals;
import java.util.Map;
import java.util.Objects;

/**
 * What the decision needs to know about one license: its switches, its devices and its consumption settings.
 * Immutable; a decision returns a new state.
 *
 * @param licenseType {@code perpetual}, {@code time-limited}, {@code subscription} or {@code consumption}
 * @param devices status of each device known to the license, by hardware id
 */
record LicenseState(
        long id,
        String licenseType,
        boolean enabled,
        Map<String, DeviceStatus> devices,
        ConsumptionSettings consumption) {

    static final String CONSUMPTION_TYPE = "consumption";

    LicenseState {
        Objects.requireNonNull(licenseType, "licenseType");
        devices = Map.copyOf(devices);
        Objects.requireNonNull(consumption, "consumption");
    }

    boolean hasActiveDevice() {
        return devices.containsValue(DeviceStatus.ACTIVE);
    }

    DeviceStatus device(String hardwareId) {
        return devices.getOrDefault(hardwareId, DeviceStatus.UNKNOWN);
    }

    LicenseState withConsumption(ConsumptionSettings settings) {
        return new LicenseState(id, licenseType, enabled, devices, settings);
    }

    LicenseTotals totals() {
        return new LicenseTotals(
                id,
                consumption.maxConsumptions(),
                consumption.totalConsumptions(),
                consumption.allowUnlimitedConsumptions(),
                consumption.allowNegativeConsumptions(),
                consumption.allowOverages(),
                consumption.maxOverages(),
                consumption.resetConsumption(),
                consumption.consumptionPeriod());
    }
}
