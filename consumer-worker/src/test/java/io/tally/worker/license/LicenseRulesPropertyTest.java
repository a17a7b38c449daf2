package io.tally.worker.license;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The rules against a deliberately naive reference model: a running total, a limit, overage settings and a period
 * boundary computed from calendar fields. Over random sequences of consumptions spread over days, both must accept
 * the same commands and agree on every total.
 */
class LicenseRulesPropertyTest {

    record Step(int consumptions, Boolean allowOverages, Integer maxOverages, int hoursLater) {}

    @Property(tries = 400)
    void shouldAgreeWithReferenceModelOverAnySequence(
            @ForAll @IntRange(min = 0, max = 50) int maxConsumptions,
            @ForAll boolean allowNegative,
            @ForAll boolean unlimited,
            @ForAll("periods") String period,
            @ForAll("steps") List<Step> steps) {
        LicenseState state = LicenseFixtures.license(
                new Meter(maxConsumptions, 0, unlimited, allowNegative, false, 0, period != null, period, null));
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        // reference model
        long total = 0;
        boolean allowOverages = false;
        long maxOverages = 0;
        String modelPeriodKey = null;

        for (Step step : steps) {
            at = at.plus(Duration.ofHours(step.hoursLater()));
            String key = periodKey(period, at);
            if (period != null && modelPeriodKey != null && !key.equals(modelPeriodKey)) {
                total = 0;
            }
            Decision decision = LicenseRules.decide(
                    state, LicenseFixtures.consume(step.consumptions(), step.allowOverages(), step.maxOverages(), at));

            boolean modelAllowOverages = step.allowOverages() != null ? step.allowOverages() : allowOverages;
            long modelMaxOverages =
                    modelAllowOverages ? (step.maxOverages() != null ? step.maxOverages() : maxOverages) : 0;
            boolean modelAccepts = !(step.consumptions() < 0 && !allowNegative)
                    && (unlimited || total + step.consumptions() <= maxConsumptions + modelMaxOverages);

            assertThat(decision instanceof Decision.Applied).isEqualTo(modelAccepts);
            if (decision instanceof Decision.Applied applied) {
                total = Math.max(0, total + step.consumptions());
                allowOverages = modelAllowOverages;
                maxOverages = modelMaxOverages;
                modelPeriodKey = key;
                state = applied.after();
                assertThat(state.meter().total()).isEqualTo(total).isNotNegative();
                assertThat(state.meter().allowOverages()).isEqualTo(allowOverages);
                assertThat(state.meter().maxOverages()).isEqualTo(maxOverages);
                if (!unlimited) {
                    assertThat(state.meter().total())
                            .isLessThanOrEqualTo(state.meter().limit());
                }
            }
        }
    }

    /** The period a time falls in, from calendar fields (a different computation from {@link Periods}). */
    private static String periodKey(String period, Instant at) {
        if (period == null) {
            return "";
        }
        var date = at.atZone(java.time.ZoneOffset.UTC).toLocalDate();
        return switch (period) {
            case "daily" -> date.toString();
            case "weekly" ->
                date.get(java.time.temporal.IsoFields.WEEK_BASED_YEAR) + "-W"
                        + date.get(java.time.temporal.IsoFields.WEEK_OF_WEEK_BASED_YEAR);
            case "monthly" -> date.getYear() + "-" + date.getMonthValue();
            case "annually" -> String.valueOf(date.getYear());
            default -> throw new IllegalArgumentException(period);
        };
    }

    @Provide
    Arbitrary<String> periods() {
        return Arbitraries.of("daily", "weekly", "monthly", "annually").injectNull(0.3);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(
                        Arbitraries.integers().between(-10, 20),
                        Arbitraries.of(true, false).injectNull(0.7),
                        Arbitraries.integers().between(0, 10).injectNull(0.7),
                        Arbitraries.integers().between(0, 24 * 40))
                .as(Step::new)
                .list()
                .ofMaxSize(60);
    }
}
