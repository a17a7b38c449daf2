package io.tally.worker.batch;

import io.tally.protocol.LicenseBalance;
import io.tally.protocol.LicenseRef;
import io.tally.worker.license.LicenseCache;
import io.tally.worker.license.LicenseState;
import io.tally.worker.license.Meter;
import java.time.Instant;
import java.util.Comparator;

/** The balance of a license as a batch left it: a pure function of its state, version and the batch's time. */
public final class BalanceFactory {

    private BalanceFactory() {}

    public static LicenseBalance of(LicenseCache.Entry entry, Instant updatedAt) {
        LicenseState license = entry.state();
        Meter meter = license.meter();
        return new LicenseBalance(
                license.tenantId(),
                license.product().shortCode(),
                license.licenseKey(),
                license.username(),
                license.id(),
                entry.version(),
                meter.total(),
                meter.max(),
                meter.allowUnlimited(),
                meter.allowOverages() ? meter.maxOverages() : 0,
                license.features().values().stream()
                        .sorted(Comparator.comparing(feature -> feature.code()))
                        .map(feature -> new LicenseBalance.FeatureBalance(
                                feature.code(),
                                feature.meter().total(),
                                feature.meter().max(),
                                feature.meter().allowUnlimited(),
                                feature.meter().allowOverages()
                                        ? feature.meter().maxOverages()
                                        : 0,
                                feature.floating() == null
                                        ? null
                                        : feature.floating().users(),
                                feature.floating() == null
                                        ? null
                                        : feature.seats().heldAt(updatedAt)))
                        .toList(),
                updatedAt,
                license.floating() == null ? null : license.floating().users(),
                license.floating() == null ? null : license.seats().heldAt(updatedAt));
    }

    /** The record key: the license's partition key, so a balance follows its commands' order. */
    public static String keyOf(LicenseState license) {
        return new LicenseRef(license.product().shortCode(), license.licenseKey(), license.username())
                .partitionKey(license.tenantId());
    }
}
