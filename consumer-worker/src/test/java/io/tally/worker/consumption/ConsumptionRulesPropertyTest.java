package io.tally.worker.consumption;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The rules against a deliberately naive reference model: a running total, a limit, and nothing else. Over random
 * sequences of consumptions, both must accept the same commands and agree on every total.
 */
class ConsumptionRulesPropertyTest {

    record Step(int consumptions, Boolean allowOverages, Integer maxOverages) {}

    @Property(tries = 500)
    void shouldAgreeWithReferenceModelOverAnySequence(
            @ForAll @IntRange(min = 0, max = 50) int maxConsumptions,
            @ForAll boolean allowNegative,
            @ForAll boolean unlimited,
            @ForAll("steps") List<Step> steps) {
        var state = new LicenseState(
                1,
                "consumption",
                true,
                Map.of("hw", DeviceStatus.ACTIVE),
                new ConsumptionSettings(maxConsumptions, 0, unlimited, allowNegative, false, 0, false, null));
        // reference model
        long total = 0;
        boolean allowOverages = false;
        long maxOverages = 0;

        for (Step step : steps) {
            Decision decision = ConsumptionRules.consume(
                    state, "hw", step.consumptions(), step.allowOverages(), step.maxOverages());

            boolean modelAllowOverages = step.allowOverages() != null ? step.allowOverages() : allowOverages;
            long modelMaxOverages =
                    modelAllowOverages ? (step.maxOverages() != null ? step.maxOverages() : maxOverages) : 0;
            boolean modelAccepts;
            if (step.consumptions() < 0 && !allowNegative) {
                modelAccepts = false;
            } else {
                modelAccepts = unlimited || total + step.consumptions() <= maxConsumptions + modelMaxOverages;
            }

            assertThat(decision instanceof Decision.Applied).isEqualTo(modelAccepts);
            if (decision instanceof Decision.Applied applied) {
                total = Math.max(0, total + step.consumptions());
                allowOverages = modelAllowOverages;
                maxOverages = modelMaxOverages;
                state = applied.after();
            }
            ConsumptionSettings settings = state.consumption();
            assertThat(settings.totalConsumptions()).isEqualTo(total).isNotNegative();
            assertThat(settings.allowOverages()).isEqualTo(allowOverages);
            assertThat(settings.maxOverages()).isEqualTo(maxOverages);
            if (!unlimited) {
                assertThat(settings.totalConsumptions()).isLessThanOrEqualTo(settings.limit());
            }
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> consumptions = Arbitraries.integers().between(-10, 20);
        Arbitrary<Boolean> allowOverages = Arbitraries.of(true, false).injectNull(0.7);
        Arbitrary<Integer> maxOverages = Arbitraries.integers().between(0, 10).injectNull(0.7);
        return Combinators.combine(consumptions, allowOverages, maxOverages)
                .as(Step::new)
                .list()
                .ofMaxSize(60);
    }
}
