package io.tally.bench.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cost probe end to end at a tiny scale: broker, worker, gateway and naive service started as processes of their
 * own, every call answered, and every process measured (none reads zero CPU, which a wrong process id would). Keeps
 * {@code ./tally-bench --cost} working; it measures nothing worth reading.
 */
class CostProbeIT {

    @TempDir
    Path directory;

    @Test
    void shouldMeasureEveryProcessWhenRunSmall() throws Exception {
        var plan = new CostProbe.Plan(
                20,
                List.of(50.0, 100.0),
                Duration.ofSeconds(4),
                Duration.ofSeconds(2),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2));

        var result = CostProbe.run(directory, plan, System.out);

        assertThat(result.steps())
                .extracting(CostProbe.Step::system)
                .containsExactly("tally", "tally", "naive", "naive");
        assertThat(result.steps()).allSatisfy(step -> {
            assertThat(step.load().ok())
                    .as(step.toString())
                    .isEqualTo(step.load().sent());
            assertThat(step.microsPerCall().values())
                    .allSatisfy(micros -> assertThat(micros).isPositive());
        });
        assertThat(result.idleShareOfCore())
                .containsOnlyKeys(
                        CostProbe.GATEWAY,
                        CostProbe.WORKER,
                        CostProbe.BROKER,
                        CostProbe.POSTGRES,
                        CostProbe.LOAD_GENERATOR);
        assertThat(CostReport.render(result, "./tally-bench --cost", "now", "here"))
                .contains("| Idle: gateway + worker < 2% of one core |")
                .contains("| tally | 100/s | 400 of 400 |")
                .contains("| naive | 50/s | 200 of 200 |");
    }
}
