package io.tally.worker.license;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the decisions need to know about one license. Immutable; a decision returns a new state.
 *
 * @param licenseType {@code perpetual}, {@code time-limited}, {@code subscription} or {@code consumption}
 * @param passwordHash for user-based licenses, the hash of the user's password digest; {@code null} otherwise
 * @param validityPeriod end of validity, or {@code null}
 * @param devices by hardware id
 * @param features by feature code
 */
public record LicenseState(
        long id,
        String tenantId,
        Product product,
        String licenseKey,
        String username,
        String passwordHash,
        String licenseType,
        boolean enabled,
        int maxActivations,
        Instant validityPeriod,
        Meter meter,
        Map<String, DeviceState> devices,
        Map<String, FeatureState> features) {

    public static final String CONSUMPTION_TYPE = "consumption";

    /** The product a license belongs to. */
    public record Product(long id, String shortCode, String name, String authorizationMethod) {}

    public LicenseState {
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(meter, "meter");
        devices = Map.copyOf(devices);
        features = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(features));
    }

    public boolean hasActiveDevice() {
        return devices.values().stream().anyMatch(DeviceState::active);
    }

    public int activeDevices() {
        return (int) devices.values().stream().filter(DeviceState::active).count();
    }

    public boolean isExpired(Instant at) {
        return validityPeriod != null && !validityPeriod.isAfter(at);
    }

    /** The state with every meter moved to the period that contains {@code acceptedAt}. */
    LicenseState at(Instant acceptedAt) {
        Map<String, FeatureState> moved = new LinkedHashMap<>();
        features.forEach(
                (code, feature) -> moved.put(code, feature.with(feature.meter().at(acceptedAt))));
        return new LicenseState(
                id,
                tenantId,
                product,
                licenseKey,
                username,
                passwordHash,
                licenseType,
                enabled,
                maxActivations,
                validityPeriod,
                meter.at(acceptedAt),
                devices,
                moved);
    }

    LicenseState withMeter(Meter newMeter) {
        return new LicenseState(
                id,
                tenantId,
                product,
                licenseKey,
                username,
                passwordHash,
                licenseType,
                enabled,
                maxActivations,
                validityPeriod,
                newMeter,
                devices,
                features);
    }

    LicenseState withEnabled(boolean newEnabled) {
        return new LicenseState(
                id,
                tenantId,
                product,
                licenseKey,
                username,
                passwordHash,
                licenseType,
                newEnabled,
                maxActivations,
                validityPeriod,
                meter,
                devices,
                features);
    }

    LicenseState withDevice(DeviceState device) {
        Map<String, DeviceState> changed = new LinkedHashMap<>(devices);
        changed.put(device.hardwareId(), device);
        return new LicenseState(
                id,
                tenantId,
                product,
                licenseKey,
                username,
                passwordHash,
                licenseType,
                enabled,
                maxActivations,
                validityPeriod,
                meter,
                changed,
                features);
    }

    LicenseState withFeature(FeatureState feature) {
        Map<String, FeatureState> changed = new LinkedHashMap<>(features);
        changed.put(feature.code(), feature);
        return new LicenseState(
                id,
                tenantId,
                product,
                licenseKey,
                username,
                passwordHash,
                licenseType,
                enabled,
                maxActivations,
                validityPeriod,
                meter,
                devices,
                changed);
    }
}
