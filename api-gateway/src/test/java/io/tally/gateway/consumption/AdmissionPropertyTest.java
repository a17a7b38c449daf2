package io.tally.gateway.consumption;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class AdmissionPropertyTest {

    @Property
    void shouldStayWithinFloorAndCeilingWhateverTheRate(
            @ForAll @IntRange(min = 1, max = 100_000) int ceiling,
            @ForAll @IntRange(min = 1, max = 1_000) int floor,
            @ForAll @DoubleRange(min = 0.1, max = 60) double targetWait,
            @ForAll @DoubleRange(min = -10, max = 1e7) double rate) {
        int limit = new Admission(ceiling, floor, targetWait).limitAt(rate);

        assertThat(limit).isBetween(Math.min(floor, ceiling), ceiling);
    }

    @Property
    void shouldAdmitNoMoreThanCanBeAnsweredWithinTheTargetWaitWhenAboveTheFloor(
            @ForAll @IntRange(min = 1, max = 100_000) int ceiling,
            @ForAll @IntRange(min = 1, max = 1_000) int floor,
            @ForAll @DoubleRange(min = 0.1, max = 60) double targetWait,
            @ForAll @DoubleRange(min = 0.01, max = 1e6) double rate) {
        int limit = new Admission(ceiling, floor, targetWait).limitAt(rate);

        if (limit > Math.min(floor, ceiling)) {
            assertThat(limit / rate).isLessThanOrEqualTo(targetWait + 1e-6);
        }
    }

    @Property
    void shouldNeverAdmitFewerWhenCallsCompleteFaster(
            @ForAll @IntRange(min = 1, max = 100_000) int ceiling,
            @ForAll @IntRange(min = 1, max = 1_000) int floor,
            @ForAll @DoubleRange(min = 0.1, max = 60) double targetWait,
            @ForAll @DoubleRange(min = 0, max = 1e6) double slower,
            @ForAll @DoubleRange(min = 0, max = 1e6) double more) {
        var admission = new Admission(ceiling, floor, targetWait);

        assertThat(admission.limitAt(slower + more)).isGreaterThanOrEqualTo(admission.limitAt(slower));
    }

    @Property
    void shouldAdmitTheCeilingBeforeAnyRateIsMeasured(
            @ForAll @IntRange(min = 1, max = 100_000) int ceiling,
            @ForAll @IntRange(min = 1, max = 1_000) int floor,
            @ForAll @DoubleRange(min = 0.1, max = 60) double targetWait) {
        var admission = new Admission(ceiling, floor, targetWait);

        assertThat(admission.limitAt(admission.initialRate())).isEqualTo(ceiling);
    }

    @Property
    void shouldHalveTheDistanceToASteadyRateEachWindowWithRefusals(
            @ForAll @DoubleRange(min = 0, max = 1e5) double estimate,
            @ForAll @LongRange(min = 0, max = 100_000) long completions,
            @ForAll @IntRange(min = 1, max = 10) int windows) {
        double next = estimate;
        for (int i = 0; i < windows; i++) {
            next = Admission.nextRate(next, completions, 1.0, true);
        }

        assertThat(Math.abs(next - completions))
                .isLessThanOrEqualTo(Math.abs(estimate - completions) / Math.pow(2, windows) + 1e-6);
    }

    @Property
    void shouldNeverLowerTheEstimateAfterAWindowWithoutRefusals(
            @ForAll @DoubleRange(min = 0, max = 1e5) double estimate,
            @ForAll @LongRange(min = 0, max = 100_000) long completions,
            @ForAll @DoubleRange(min = 0.5, max = 10) double seconds) {
        double next = Admission.nextRate(estimate, completions, seconds, false);

        assertThat(next).isGreaterThanOrEqualTo(estimate).isGreaterThanOrEqualTo(completions / seconds);
    }
}
