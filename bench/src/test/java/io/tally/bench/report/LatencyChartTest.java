package io.tally.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.bench.load.StepResult;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

class LatencyChartTest {

    @Test
    void shouldDrawOneLinePerSystemAndProfileWhenGivenSteps() throws Exception {
        var steps = List.of(
                step("tally", "hot", 1_000, 990, 12),
                step("tally", "hot", 2_000, 1_980, 30),
                step("naive", "hot", 1_000, 800, 900),
                step("tally", "zipf", 1_000, 1_000, 8));

        String svg = LatencyChart.svg(steps, 50);

        var document = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(document.getElementsByTagName("polyline").getLength()).isEqualTo(3);
        assertThat(document.getElementsByTagName("circle").getLength()).isEqualTo(4);
        assertThat(svg).contains("tally · hot").contains("naive · hot").contains("tally · zipf");
    }

    @Test
    void shouldPlaceHigherLatencyHigherUpWhenOnTheLogScale() {
        assertThat(LatencyChart.y(100)).isLessThan(LatencyChart.y(10));
        assertThat(LatencyChart.y(0.01)).isEqualTo(LatencyChart.y(1));
        assertThat(LatencyChart.niceCeiling(1_234)).isEqualTo(2_000);
        assertThat(LatencyChart.niceCeiling(5_000)).isEqualTo(5_000);
    }

    private static StepResult step(String system, String profile, double offered, double achieved, double p99) {
        return new StepResult(
                system,
                profile,
                offered,
                (long) offered,
                achieved,
                p99 / 2,
                p99,
                p99 * 1.2,
                p99 * 1.5,
                Map.of("200", (long) offered));
    }
}
