package io.tally.worker.license;

import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Licenses and commands for the rules' tests. */
final class LicenseFixtures {

    static final String HW = "hw-1";
    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    static final LicenseRef REF = new LicenseRef("app", "KEY", null);

    private LicenseFixtures() {}

    static Meter meter(long max, long total) {
        return new Meter(max, total, false, false, false, 0, false, null, null);
    }

    static LicenseState license(Meter meter) {
        return new LicenseState(
                7,
                "t",
                new LicenseState.Product(1, "app", "App", "license-key"),
                "KEY",
                null,
                null,
                "consumption",
                true,
                2,
                null,
                meter,
                Map.of(HW, new DeviceState(11, HW, true, false, NOW, Map.of())),
                Map.of("f1", new FeatureState(21, 31, "f1", "Feature 1", "consumption", meter(10, 0))));
    }

    static LicenseState license(long max, long total) {
        return license(meter(max, total));
    }

    static LicenseCommand.ConsumeLicense consume(int n) {
        return consume(n, null, null, NOW);
    }

    static LicenseCommand.ConsumeLicense consume(int n, Boolean allowOverages, Integer maxOverages, Instant at) {
        return new LicenseCommand.ConsumeLicense(
                UUID.randomUUID(), at, "t", null, REF, HW, n, allowOverages, maxOverages);
    }

    static LicenseCommand.ConsumeFeature consumeFeature(String feature, int n) {
        return new LicenseCommand.ConsumeFeature(UUID.randomUUID(), NOW, "t", null, REF, HW, feature, n);
    }

    static LicenseCommand.ActivateLicense activate(String hardwareId) {
        return new LicenseCommand.ActivateLicense(UUID.randomUUID(), NOW, "t", null, REF, hardwareId, null, Map.of());
    }

    static LicenseCommand.DeactivateLicense deactivate(String hardwareId, Integer consumptions) {
        return new LicenseCommand.DeactivateLicense(UUID.randomUUID(), NOW, "t", null, REF, hardwareId, consumptions);
    }

    static LicenseCommand.CheckLicense check(String hardwareId) {
        return new LicenseCommand.CheckLicense(UUID.randomUUID(), NOW, "t", null, REF, hardwareId);
    }
}
