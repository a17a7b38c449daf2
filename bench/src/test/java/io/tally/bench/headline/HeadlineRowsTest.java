package io.tally.bench.headline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.bench.load.StepResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadlineRowsTest {

    private static StepResult run(double p50, double p99) {
        return new StepResult("tally", "hot", 500, 15_000, 500, p50, p99, p99, p99, Map.of("200", 15_000L));
    }

    @Test
    void shouldReportTheMedianAndTheSpreadOfTheRuns() {
        // given
        var measured = new HeadlineRows.Measured(
                "tally", new HeadlineRows.Row("hot", 500), List.of(run(3, 20), run(9, 90), run(4, 24)));

        // when
        var p50 = measured.p50();
        var p99 = measured.p99();

        // then
        assertThat(p50).isEqualTo(new HeadlineRows.Spread(4, 3, 9));
        assertThat(p99).isEqualTo(new HeadlineRows.Spread(24, 20, 90));
    }

    @Test
    void shouldAverageTheMiddleTwoWhenTheRunsAreEven() {
        var measured =
                new HeadlineRows.Measured("naive", new HeadlineRows.Row("zipf", 1000), List.of(run(1, 5), run(3, 7)));

        assertThat(measured.p50().median()).isEqualTo(2);
        assertThat(HeadlineRows.markdown(List.of(measured), 2, Duration.ofSeconds(30)))
                .contains("| Zipf licenses at 1,000/s | naive | 2.0 (1.0-3.0) | 6.0 (5.0-7.0) |");
    }

    @Test
    void shouldParseProfileAndRateWhenGivenAsOption() {
        assertThat(HeadlineRows.Row.parse("zipf:1000")).isEqualTo(new HeadlineRows.Row("zipf", 1000));
        assertThatThrownBy(() -> HeadlineRows.Row.parse("hot")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeadlineRows.Row.parse("cold:5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeadlineRows.Row.parse("hot:0")).isInstanceOf(IllegalArgumentException.class);
    }
}
