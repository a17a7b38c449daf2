package io.tally.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark end to end at a tiny scale: both systems driven, burst and replay run, every consistency check held,
 * and the report, chart and JSON written. Keeps the README's benchmark command working; it measures nothing worth
 * reading.
 */
class TallyBenchIT {

    @TempDir
    Path directory;

    @Test
    void shouldWriteTheReportAndHoldEveryCheckWhenRunSmall() throws Exception {
        Path report = directory.resolve("docs/benchmarks.md");
        Files.createDirectories(report.getParent());

        int exit = new CommandLine(new TallyBench())
                .execute(
                        "--work-dir", directory.resolve("run").toString(),
                        "--report", report.toString(),
                        "--findings", directory.resolve("none.md").toString(),
                        "--step-seconds", "1",
                        "--warm-up-seconds", "1",
                        "--warm-up-max-seconds", "2",
                        "--max-rate", "500",
                        "--zipf-licenses", "50",
                        "--burst", "300",
                        "--replay-commands", "2000");

        assertThat(exit).isZero();
        assertThat(Files.readString(report))
                .contains("## Targets")
                .contains("| tally | hot |")
                .contains("| naive | zipf |");
        assertThat(Files.readString(directory.resolve("docs/benchmarks/latency-throughput.svg")))
                .startsWith("<svg");
        JsonNode results = JsonMapper.builder()
                .build()
                .readTree(Files.readString(directory.resolve("docs/benchmarks/results.json")));
        assertThat(results.get("replay").get("ledgerRows").asLong()).isEqualTo(2000);
        assertThat(results.get("burst").get("sent").asLong()).isEqualTo(300);
        assertThat(results.get("checks").properties())
                .allSatisfy(check -> assertThat(check.getValue().asBoolean())
                        .as(check.getKey())
                        .isTrue());
    }
}
