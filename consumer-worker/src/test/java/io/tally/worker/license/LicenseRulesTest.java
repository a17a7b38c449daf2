package io.tally.worker.license;

import static io.tally.worker.license.LicenseFixtures.HW;
import static io.tally.worker.license.LicenseFixtures.NOW;
import static io.tally.worker.license.LicenseFixtures.activate;
import static io.tally.worker.license.LicenseFixtures.check;
import static io.tally.worker.license.LicenseFixtures.consume;
import static io.tally.worker.license.LicenseFixtures.consumeFeature;
import static io.tally.worker.license.LicenseFixtures.deactivate;
import static io.tally.worker.license.LicenseFixtures.license;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.protocol.CommandResult;
import io.tally.protocol.RejectionType;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LicenseRulesTest {

    @Test
    void shouldApplyAndReportNewTotalWhenWithinLimit() {
        Decision decision = LicenseRules.decide(license(10, 3), consume(5));

        assertThat(total(decision)).isEqualTo(8);
    }

    @Test
    void shouldAllowReachingTheLimitExactly() {
        assertThat(total(LicenseRules.decide(license(10, 3), consume(7)))).isEqualTo(10);
    }

    @Test
    void shouldRejectConsumeWhenPastLimit() {
        assertRejected(LicenseRules.decide(license(10, 3), consume(8)), RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS);
    }

    @Test
    void shouldCountOveragesOnlyWhenAllowed() {
        var overagesOn = license(new Meter(10, 10, false, false, true, 5, false, null, null));

        assertRejected(LicenseRules.decide(license(10, 10), consume(1)), RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS);
        assertThat(total(LicenseRules.decide(overagesOn, consume(5)))).isEqualTo(15);
        assertRejected(LicenseRules.decide(overagesOn, consume(6)), RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS);
    }

    @Test
    void shouldApplyRequestOverageSettingsBeforeTheLimitCheckAndKeepThemOnlyWhenApplied() {
        Decision applied = LicenseRules.decide(license(10, 10), consume(3, true, 3, NOW));
        Decision refused = LicenseRules.decide(license(10, 10), consume(20, true, 3, NOW));

        assertThat(applied).isInstanceOfSatisfying(Decision.Applied.class, a -> {
            assertThat(a.after().meter().allowOverages()).isTrue();
            assertThat(a.after().meter().maxOverages()).isEqualTo(3);
            assertThat(a.after().meter().total()).isEqualTo(13);
        });
        assertRejected(refused, RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS);
    }

    @Test
    void shouldStoreZeroMaxOveragesWhenRequestTurnsOveragesOff() {
        var on = license(new Meter(10, 0, false, false, true, 5, false, null, null));

        Decision decision = LicenseRules.decide(on, consume(1, false, null, NOW));

        assertThat(decision)
                .isInstanceOfSatisfying(
                        Decision.Applied.class,
                        a -> assertThat(a.after().meter().maxOverages()).isZero());
    }

    @Test
    void shouldIgnoreTheLimitWhenUnlimited() {
        var unlimited = license(new Meter(1, 1, true, false, false, 0, false, null, null));

        assertThat(total(LicenseRules.decide(unlimited, consume(1_000_000)))).isEqualTo(1_000_001);
    }

    @Test
    void shouldRejectNegativeWhenNotAllowedAndClampAtZeroWhenAllowed() {
        var negative = license(new Meter(10, 2, false, true, false, 0, false, null, null));

        assertRejected(
                LicenseRules.decide(license(10, 5), consume(-1)), RejectionType.NEGATIVE_CONSUMPTIONS_NOT_ALLOWED);
        assertThat(total(LicenseRules.decide(negative, consume(-5)))).isZero();
    }

    @Test
    void shouldResetTheTotalAtTheStartOfEachUtcPeriod() {
        var daily =
                license(new Meter(10, 9, false, false, false, 0, true, "daily", Instant.parse("2026-11-27T00:00:00Z")));

        Decision nextDay = LicenseRules.decide(daily, consume(5, null, null, Instant.parse("2026-11-28T00:00:00Z")));
        Decision sameDay =
                LicenseRules.decide(daily, consume(1, null, null, Instant.parse("2026-11-27T23:59:59.999Z")));

        assertThat(total(nextDay)).isEqualTo(5);
        assertThat(total(sameDay)).isEqualTo(10);
    }

    @Test
    void shouldKnowEveryPeriodBoundary() {
        Instant thursday = Instant.parse("2026-11-26T15:30:00Z");

        assertThat(Periods.startOf("daily", thursday)).isEqualTo(Instant.parse("2026-11-26T00:00:00Z"));
        assertThat(Periods.startOf("weekly", thursday)).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
        assertThat(Periods.startOf("monthly", thursday)).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(Periods.startOf("annually", thursday)).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void shouldRefuseInTheReferenceOrder() {
        var base = license(0, 0);
        var disabled = new LicenseState(
                1,
                "t",
                base.product(),
                "KEY",
                null,
                null,
                "perpetual",
                false,
                1,
                null,
                base.meter(),
                Map.of(HW, new DeviceState(1, HW, false, true, null, Map.of())),
                Map.of());
        assertRejected(LicenseRules.decide(disabled, consume(-1)), RejectionType.LICENSE_NOT_ENABLED);

        var noActiveDevice = new LicenseState(
                1,
                "t",
                base.product(),
                "KEY",
                null,
                null,
                "perpetual",
                true,
                1,
                null,
                base.meter(),
                Map.of(HW, new DeviceState(1, HW, false, false, null, Map.of())),
                Map.of());
        assertRejected(LicenseRules.decide(noActiveDevice, consume(-1)), RejectionType.LICENSE_NOT_ACTIVE);

        var otherActive = Map.of(
                "other",
                new DeviceState(2, "other", true, false, null, Map.<String, Object>of()),
                HW,
                new DeviceState(1, HW, false, true, null, Map.<String, Object>of()));
        var notConsumption = new LicenseState(
                1,
                "t",
                base.product(),
                "KEY",
                null,
                null,
                "perpetual",
                true,
                2,
                null,
                base.meter(),
                otherActive,
                Map.of());
        assertRejected(LicenseRules.decide(notConsumption, consume(-1)), RejectionType.LICENSE_NOT_CONSUMPTION);

        var blacklisted = new LicenseState(
                1,
                "t",
                base.product(),
                "KEY",
                null,
                null,
                "consumption",
                true,
                2,
                null,
                base.meter(),
                otherActive,
                Map.of());
        assertRejected(LicenseRules.decide(blacklisted, consume(-1)), RejectionType.BLACKLISTED);

        var otherDevice = new LicenseState(
                1,
                "t",
                base.product(),
                "KEY",
                null,
                null,
                "consumption",
                true,
                2,
                null,
                base.meter(),
                Map.of("other", new DeviceState(2, "other", true, false, null, Map.of())),
                Map.of());
        assertRejected(LicenseRules.decide(otherDevice, consume(-1)), RejectionType.DEVICE_NOT_FOUND);
    }

    @Test
    void shouldConsumeFeaturesOnTheirOwnMeter() {
        Decision applied = LicenseRules.decide(license(0, 0), consumeFeature("f1", 10));
        Decision over = LicenseRules.decide(license(0, 0), consumeFeature("f1", 11));
        Decision unknown = LicenseRules.decide(license(0, 0), consumeFeature("nope", 1));

        assertThat(applied).isInstanceOfSatisfying(Decision.Applied.class, a -> {
            assertThat(a.after().features().get("f1").meter().total()).isEqualTo(10);
            assertThat(a.after().meter().total()).isZero();
        });
        assertRejected(over, RejectionType.FEATURE_NOT_ENOUGH_CONSUMPTIONS);
        assertRejected(unknown, RejectionType.UNSUPPORTED_PRODUCT_FEATURE);
    }

    @Test
    void shouldActivateUpToMaxActivationsAndReactivateIdempotently() {
        LicenseState one = license(10, 0); // max_activations 2, one active device

        Decision second = LicenseRules.decide(one, activate("hw-2"));
        LicenseState two = ((Decision.Applied) second).after();
        Decision third = LicenseRules.decide(two, activate("hw-3"));
        Decision again = LicenseRules.decide(two, activate(HW));

        assertThat(two.activeDevices()).isEqualTo(2);
        assertRejected(third, RejectionType.LICENSE_ACTIVATED_MAX_TIMES);
        assertThat(again).isInstanceOf(Decision.Applied.class);
    }

    @Test
    void shouldAddBufferedConsumptionsThenDeactivate() {
        Decision decision = LicenseRules.decide(license(10, 0), deactivate(HW, 4));

        assertThat(decision).isInstanceOfSatisfying(Decision.Applied.class, a -> {
            assertThat(a.after().meter().total()).isEqualTo(4);
            assertThat(a.after().devices().get(HW).active()).isFalse();
            assertThat(a.result().apply(a.after())).isInstanceOf(CommandResult.LicenseDeactivated.class);
        });
        assertRejected(
                LicenseRules.decide(license(10, 8), deactivate(HW, 4)), RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS);
    }

    @Test
    void shouldShowTheLicenseToItsActiveDevice() {
        Decision decision = LicenseRules.decide(license(10, 4), check(HW));

        assertThat(decision).isInstanceOfSatisfying(Decision.Applied.class, a -> {
            var view = ((CommandResult.LicenseChecked) a.result().apply(a.after())).license();
            assertThat(view.totalConsumptions()).isEqualTo(4);
            assertThat(view.timesActivated()).isEqualTo(1);
            assertThat(view.deviceId()).isEqualTo(11);
            assertThat(view.productFeatures()).extracting("code").containsExactly("f1");
        });
        assertRejected(LicenseRules.decide(license(10, 4), check("stranger")), RejectionType.DEVICE_NOT_FOUND);
    }

    private static long total(Decision decision) {
        assertThat(decision).isInstanceOf(Decision.Applied.class);
        return ((Decision.Applied) decision).after().meter().total();
    }

    static void assertRejected(Decision decision, RejectionType type) {
        assertThat(decision)
                .isInstanceOfSatisfying(
                        Decision.Rejected.class,
                        rejected -> assertThat(rejected.rejection().type()).isEqualTo(type));
    }
}
