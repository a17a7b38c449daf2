package io.tally.worker.license;

import io.tally.protocol.FeatureView;
import io.tally.protocol.LicenseTotals;
import io.tally.protocol.LicenseView;
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

    public static FeatureView feature(FeatureState feature) {
        Meter meter = feature.meter();
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
                meter.period());
    }

    public static LicenseView license(LicenseState license, String hardwareId, Instant at) {
        Meter meter = license.meter();
        DeviceState device = license.devices().get(hardwareId);
        LicenseState.Product product = license.product();
        return new LicenseView(
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
                license.features().values().stream().map(LicenseViews::feature).toList(),
                new LicenseView.ProductDetails(
                        product.id(), product.name(), product.shortCode(), product.authorizationMethod()),
                device == null || device.id() == 0 ? null : device.id(),
                hardwareId);
    }
}
