package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules of deploy/kubernetes/prometheusrule.yaml under Prometheus' own {@code promtool} (Debian's
 * {@code prometheus} package, which {@code .ci/run} installs): the rules parse, and every scenario of
 * deploy/kubernetes/alerts-test.yaml fires exactly the alerts it expects, with their labels and annotations.
 */
class AlertRulesTest {

    private static final Path DIRECTORY = Path.of("..", "deploy", "kubernetes");

    @TempDir
    Path work;

    @Test
    @SuppressWarnings("unchecked")
    void shouldFireExactlyTheExpectedAlertsWhenPromtoolRunsTheScenarios() throws Exception {
        // given: the PrometheusRule's spec as a plain rules file, beside the scenarios that name it
        Map<String, Object> rule = new Yaml().load(Files.readString(DIRECTORY.resolve("prometheusrule.yaml")));
        Files.writeString(work.resolve("tally-rules.yaml"), new Yaml().dump(rule.get("spec")));
        Files.copy(DIRECTORY.resolve("alerts-test.yaml"), work.resolve("alerts-test.yaml"));

        // when
        String checked = promtool("check", "rules", "tally-rules.yaml");
        String tested = promtool("test", "rules", "alerts-test.yaml");

        // then
        assertThat(checked).contains("SUCCESS: 5 rules found");
        assertThat(tested).contains("SUCCESS");
    }

    private String promtool(String... arguments) throws IOException, InterruptedException {
        var command = new java.util.ArrayList<String>();
        command.add("promtool");
        command.addAll(java.util.List.of(arguments));
        Process process = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as(String.join(" ", command) + "\n" + output)
                .isZero();
        return output;
    }
}
