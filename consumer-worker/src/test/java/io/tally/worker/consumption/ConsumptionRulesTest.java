package io.tally.worker.consumption;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.protocol.RejectionType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsumptionRulesTest {

    static final String HW = "hw-1";

    static LicenseState license(long max, long total) {
        return new LicenseState(
                7,
                "consumption",
                true,
                Map.of(HW, DeviceStatus.ACTIVE),
                new ConsumptionSettings(max, total, false, false, false, 0, false, null));
    }

    static LicenseState with(LicenseState state, ConsumptionSettings settings) {
        return state.withConsumption(settings);
    }

    @Test
    void shouldApplyAndReportNewTotalWhenWithinLimit() {
        Decision decision = ConsumptionRules.consume(license(10, 3), HW, 5, null, null);

        assertThat(decision).isInstanceOfSatisfying(Decision.Applied.class, applied -> {
            assertThat(applied.after().consumption().totalConsumptions()).isEqualTo(8);
            assertThat(applied.before().consumption().totalConsumptions()).isEqualTo(3);
        });
    }

    @Test
    void shouldAllowReachingTheLimitExactly() {
        assertThat(ConsumptionRules.consume(license(10, 3), HW, 7, null, null)).isInstanceOf(Decision.Applied.class);
    }

    @Test
    void shouldRejectConsumeWhenPastLimit() {
        assertRejected(
                ConsumptionRules.consume(license(10, 3), HW, 8, null, null),
                RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS);
    }

    @Test
    void shouldCountOveragesOnlyWhenAllowed() {
        var base = license(10, 10);
        var overagesOff = with(base, new ConsumptionSettings(10, 10, false, false, false, 0, false, null));
        var overagesOn = with(base, new ConsumptionSettings(10, 10, false, false, true, 5, false, null));

        assertRejected(
                ConsumptionRules.consume(overagesOff, HW, 1, null, null),
                RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS);
        assertThat(ConsumptionRules.consume(overagesOn, HW, 5, null, null)).isInstanceOf(Decision.Applied.class);
        assertRejected(
                ConsumptionRules.consume(overagesOn, HW, 6, null, null), RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS);
    }

    @Test
    void shouldApplyRequestOverageSettingsBeforeTheLimitCheck() {
        Decision decision = ConsumptionRules.consume(license(10, 10), HW, 3, true, 3);

        assertThat(decision).isInstanceOfSatisfying(Decision.Applied.class, applied -> {
            assertThat(applied.after().consumption().allowOverages()).isTrue();
            assertThat(applied.after().consumption().maxOverages()).isEqualTo(3);
            assertThat(applied.after().consumption().totalConsumptions()).isEqualTo(13);
        });
    }

    @Test
    void shouldStoreZeroMaxOveragesWhenRequestTurnsOveragesOff() {
        var on = with(license(10, 0), new ConsumptionSettings(10, 0, false, false, true, 5, false, null));

        Decision decision = ConsumptionRules.consume(on, HW, 1, false, null);

        assertThat(decision)
                .isInstanceOfSatisfying(
                        Decision.Applied.class,
                        applied -> assertThat(applied.after().consumption().maxOverages())
                                .isZero());
    }

    @Test
    void shouldIgnoreTheLimitWhenUnlimited() {
        var unlimited = with(license(1, 1), new ConsumptionSettings(1, 1, true, false, false, 0, false, null));

        assertThat(ConsumptionRules.consume(unlimited, HW, 1_000_000, null, null))
                .isInstanceOf(Decision.Applied.class);
    }

    @Test
    void shouldRejectNegativeWhenNotAllowed() {
        assertRejected(
                ConsumptionRules.consume(license(10, 5), HW, -1, null, null),
                RejectionType.NEGATIVE_CONSUMPTIONS_NOT_ALLOWED);
    }

    @Test
    void shouldClampTotalAtZeroWhenNegativeAllowed() {
        var negative = with(license(10, 2), new ConsumptionSettings(10, 2, false, true, false, 0, false, null));

        assertThat(ConsumptionRules.consume(negative, HW, -5, null, null))
                .isInstanceOfSatisfying(
                        Decision.Applied.class,
                        applied -> assertThat(applied.after().consumption().totalConsumptions())
                                .isZero());
    }

    @Test
    void shouldRefuseInTheReferenceOrder() {
        var disabled = new LicenseState(
                1,
                "perpetual",
                false,
                Map.of(HW, DeviceStatus.BLACKLISTED),
                license(0, 0).consumption());
        assertRejected(ConsumptionRules.consume(disabled, HW, -1, null, null), RejectionType.LICENSE_NOT_ENABLED);

        var noActiveDevice = new LicenseState(
                1,
                "perpetual",
                true,
                Map.of(HW, DeviceStatus.INACTIVE),
                license(0, 0).consumption());
        assertRejected(ConsumptionRules.consume(noActiveDevice, HW, -1, null, null), RejectionType.LICENSE_NOT_ACTIVE);

        var notConsumption = new LicenseState(
                1,
                "perpetual",
                true,
                Map.of("other", DeviceStatus.ACTIVE, HW, DeviceStatus.BLACKLISTED),
                license(0, 0).consumption());
        assertRejected(
                ConsumptionRules.consume(notConsumption, HW, -1, null, null), RejectionType.LICENSE_NOT_CONSUMPTION);

        var blacklisted = new LicenseState(
                1,
                "consumption",
                true,
                Map.of("other", DeviceStatus.ACTIVE, HW, DeviceStatus.BLACKLISTED),
                license(0, 0).consumption());
        assertRejected(ConsumptionRules.consume(blacklisted, HW, -1, null, null), RejectionType.BLACKLISTED);

        var otherDevice = new LicenseState(
                1,
                "consumption",
                true,
                Map.of("other", DeviceStatus.ACTIVE),
                license(0, 0).consumption());
        assertRejected(ConsumptionRules.consume(otherDevice, HW, -1, null, null), RejectionType.DEVICE_NOT_FOUND);
        var inactiveDevice = new LicenseState(
                1,
                "consumption",
                true,
                Map.of("other", DeviceStatus.ACTIVE, HW, DeviceStatus.INACTIVE),
                license(0, 0).consumption());
        assertRejected(ConsumptionRules.consume(inactiveDevice, HW, 1, null, null), RejectionType.DEVICE_NOT_FOUND);
    }

    @Test
    void shouldKeepStoredSettingsWhenRefused() {
        var state = license(10, 10);

        Decision decision = ConsumptionRules.consume(state, HW, 20, true, 5);

        assertRejected(decision, RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS);
        assertThat(state.consumption().allowOverages()).isFalse();
    }

    private static void assertRejected(Decision decision, RejectionType type) {
        assertThat(decision)
                .isInstanceOfSatisfying(
                        Decision.Rejected.class,
                        rejected -> assertThat(rejected.rejection().type()).isEqualTo(type));
    }
}
