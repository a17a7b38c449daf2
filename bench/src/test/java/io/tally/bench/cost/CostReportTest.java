package io.tally.bench.cost;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.bench.load.StepResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CostReportTest {

    private static final CostProbe.Plan PLAN = new CostProbe.Plan(
            100,
            List.of(500.0, 1000.0),
            Duration.ofSeconds(30),
            Duration.ofSeconds(60),
            Duration.ofSeconds(15),
            Duration.ofSeconds(150));

    @Test
    void shouldMeetEveryTargetWhenTheHighestRateIsCheapEnough() {
        String page = CostReport.render(result(0.01, 300, 100, 200, 100, 500, 100), "cmd", "now", "here");

        assertThat(page)
                .contains("| Idle: gateway + worker < 2% of one core | 1.0% | yes |")
                .contains("| At 1,000/s: gateway <= 350 µs per call | 300 | yes |")
                .contains("| At 1,000/s: worker <= 150 µs per call | 100 | yes |")
                .contains("700 against 600: 1.17 x | yes |")
                .doesNotContain("**no**");
    }

    @Test
    void shouldMissTargetsWhenTheHighestRateCostsTooMuchAndIgnoreTheLoadGenerator() {
        String page = CostReport.render(result(0.03, 642, 419, 369, 322, 542, 172), "cmd", "now", "here");

        assertThat(page)
                .contains("| Idle: gateway + worker < 2% of one core | 3.0% | **no** |")
                .contains("| At 1,000/s: gateway <= 350 µs per call | 642 | **no** |")
                .contains("| At 1,000/s: worker <= 150 µs per call | 419 | **no** |")
                .contains("1,752 against 714: 2.45 x | **no** |");
    }

    /** Idle split evenly between gateway and worker; the rate of 500/s costs twice as much as 1,000/s. */
    private static CostProbe.Result result(
            double idle, double gateway, double worker, double broker, double postgres, double naive, double naivePg) {
        Map<String, Double> idleShares = new LinkedHashMap<>();
        idleShares.put(CostProbe.GATEWAY, idle / 2);
        idleShares.put(CostProbe.WORKER, idle / 2);
        var steps = List.of(
                tally(500, 2 * gateway, 2 * worker, 2 * broker, 2 * postgres),
                tally(1000, gateway, worker, broker, postgres),
                naive(500, 2 * naive, 2 * naivePg),
                naive(1000, naive, naivePg));
        return new CostProbe.Result(PLAN, Duration.ofSeconds(60), idleShares, steps);
    }

    private static CostProbe.Step tally(double rate, double gateway, double worker, double broker, double postgres) {
        Map<String, Double> micros = new LinkedHashMap<>();
        micros.put(CostProbe.GATEWAY, gateway);
        micros.put(CostProbe.WORKER, worker);
        micros.put(CostProbe.BROKER, broker);
        micros.put(CostProbe.POSTGRES, postgres);
        micros.put(CostProbe.LOAD_GENERATOR, 1_000_000.0);
        return new CostProbe.Step("tally", load("tally", rate), micros);
    }

    private static CostProbe.Step naive(double rate, double service, double postgres) {
        Map<String, Double> micros = new LinkedHashMap<>();
        micros.put(CostProbe.NAIVE, service);
        micros.put(CostProbe.POSTGRES, postgres);
        micros.put(CostProbe.LOAD_GENERATOR, 1_000_000.0);
        return new CostProbe.Step("naive", load("naive", rate), micros);
    }

    private static StepResult load(String system, double rate) {
        long sent = Math.round(rate * 30);
        return new StepResult(system, "zipf", rate, sent, rate, 1, 2, 3, 4, Map.of("200", sent));
    }
}
