package io.tally.worker.license;

import io.tally.protocol.FeatureView;
import io.tally.protocol.LicenseTotals;
import io.tally.protocol.LicenseView;
import io.tally.worker.floating.FloatingSettings;
import java.time.Instant;

/** How a license looks from outside: the License API bodies' data. Pure. */
public final class LicenseViews {

    private LicenseViews() {}

    public static LicenseTotals totals(LicenseState license) {
        Meter meter = license.meter();
        return new LicenseTotals(
                license.id(),
                meter.max(),
                meter.total(),
                meter.allowUnlimited(),
                meter.allowNegative(),
                meter.allowOverages(),
                meter.maxOverages(),
                meter.reset(),
                meter.period());
    }

    /** The feature as seen at {@code at} (a floating one's seats in use then). */
    public static FeatureView feature(FeatureState feature, Instant at) {
        Meter meter = feature.meter();
        boolean floating = feature.floating() != null;
        return new FeatureView(
                feature.code(),
                feature.name(),
                feature.featureType(),
                meter.max(),
                meter.total(),
                meter.allowOverages(),
                meter.maxOverages(),
                meter.allowUnlimited(),
                meter.allowNegative(),
                meter.reset(),
                meter.period(),
                floating ? Boolean.TRUE : null,
                floating ? feature.floating().users() : null,
                floating ? feature.floating().timeoutMinutes() : null,
                floating ? feature.seats().heldAt(at) : null);
    }

    public static LicenseView license(LicenseState license, String hardwareId, Instant at) {
        Meter meter = license.meter();
        DeviceState device = license.devices().get(hardwareId);
        LicenseState.Product product = license.product();
        FloatingSettings settings = license.floating();
        LicenseView.Floating floating = null;
        if (settings != null) {
            Instant borrowedUntil = license.seats()
                    .seat(hardwareId)
                    .filter(seat -> seat.borrowedAt(at))
                    .map(io.tally.worker.floating.Seat::borrowedUntil)
                    .orElse(null);
            floating = new LicenseView.Floating(
                    settings.users(),
                    settings.timeoutMinutes(),
                    license.seats().heldAt(at),
                    settings.canBorrow(),
                    settings.maxBorrowHours(),
                    borrowedUntil);
        }
        return LicenseView.of(
                license.id(),
                license.hasActiveDevice(),
                license.enabled(),
                license.licenseType(),
                license.licenseKey(),
                license.username() == null ? null : new LicenseView.User(license.username()),
                license.maxActivations(),
                license.activeDevices(),
                license.isExpired(at),
                license.validityPeriod(),
                meter.allowOverages(),
                meter.maxOverages(),
                meter.max(),
                meter.total(),
                meter.allowUnlimited(),
                meter.allowNegative(),
                meter.reset(),
                meter.period(),
                license.features().values().stream()
                        .map(feature -> feature(feature, at))
                        .toList(),
                new LicenseView.ProductDetails(
                        product.id(), product.name(), product.shortCode(), product.authorizationMethod()),
                device == null || device.id() == 0 ? null : device.id(),
                hardwareId,
                floating);
    }
}
