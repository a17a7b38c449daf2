package io.tally.worker.license;

import io.tally.worker.floating.FloatingSettings;
import io.tally.worker.floating.SeatChange;
import io.tally.worker.floating.SeatJournal;
import io.tally.worker.floating.SeatPool;
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
 * @param floating how its seats are shared when it is a floating-cloud license, else {@code null}
 * @param seats the seats its devices hold (empty unless floating)
 * @param unsavedSeats seat changes of this license and its features not written yet
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
        Map<String, FeatureState> features,
        FloatingSettings floating,
        SeatPool seats,
        SeatJournal unsavedSeats) {

    public static final String CONSUMPTION_TYPE = "consumption";

    /** The product a license belongs to. */
    public record Product(long id, String shortCode, String name, String authorizationMethod) {}

    public LicenseState {
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(meter, "meter");
        devices = Map.copyOf(devices);
        features = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(features));
        seats = seats == null ? SeatPool.empty() : seats;
        unsavedSeats = unsavedSeats == null ? SeatJournal.empty() : unsavedSeats;
    }

    /** A license that is not floating. */
    public LicenseState(
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
        this(
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
                features,
                null,
                SeatPool.empty(),
                SeatJournal.empty());
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
        return copy(enabled, meter.at(acceptedAt), devices, moved, seats, unsavedSeats);
    }

    LicenseState withMeter(Meter newMeter) {
        return copy(enabled, newMeter, devices, features, seats, unsavedSeats);
    }

    LicenseState withEnabled(boolean newEnabled) {
        return copy(newEnabled, meter, devices, features, seats, unsavedSeats);
    }

    LicenseState withDevice(DeviceState device) {
        Map<String, DeviceState> changed = new LinkedHashMap<>(devices);
        changed.put(device.hardwareId(), device);
        return copy(enabled, meter, changed, features, seats, unsavedSeats);
    }

    LicenseState withFeature(FeatureState feature) {
        Map<String, FeatureState> changed = new LinkedHashMap<>(features);
        changed.put(feature.code(), feature);
        return copy(enabled, meter, devices, changed, seats, unsavedSeats);
    }

    /** The license's own seats as {@code pool}, after {@code changes} (recorded to be written). */
    LicenseState withSeats(SeatPool pool, java.util.List<SeatChange> changes) {
        return copy(enabled, meter, devices, features, pool, unsavedSeats.with(changes));
    }

    /** The seats of feature {@code code} as {@code pool}, after {@code changes} (recorded to be written). */
    LicenseState withFeatureSeats(String code, SeatPool pool, java.util.List<SeatChange> changes) {
        Map<String, FeatureState> changed = new LinkedHashMap<>(features);
        changed.put(code, features.get(code).withSeats(pool));
        return copy(enabled, meter, devices, changed, seats, unsavedSeats.with(changes));
    }

    /** The license with {@code newFloating} settings ({@code null}: not floating), its seats as {@code pool}. */
    LicenseState withFloating(FloatingSettings newFloating, SeatPool pool, java.util.List<SeatChange> changes) {
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
                features,
                newFloating,
                pool,
                unsavedSeats.with(changes));
    }

    /** The state once its seat changes are written. */
    public LicenseState withSeatsSaved() {
        return unsavedSeats.isEmpty() ? this : copy(enabled, meter, devices, features, seats, SeatJournal.empty());
    }

    private LicenseState copy(
            boolean newEnabled,
            Meter newMeter,
            Map<String, DeviceState> newDevices,
            Map<String, FeatureState> newFeatures,
            SeatPool newSeats,
            SeatJournal newUnsaved) {
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
                newMeter,
                newDevices,
                newFeatures,
                floating,
                newSeats,
                newUnsaved);
    }
}
