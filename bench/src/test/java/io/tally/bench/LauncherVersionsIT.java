package io.tally.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every command-line tool, run from the executable jar its launcher finds ({@code bin/module-jar}, no version written
 * into a script), prints the project's version for {@code --version}: the one defined in pom.xml, carried by the
 * jar's manifest. The bench module builds last, so every tool's jar exists when this runs.
 */
class LauncherVersionsIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void shouldPrintTheProjectsVersionWhenAnyToolIsAskedForIt() throws Exception {
        String version = System.getProperty("tally.version");
        assertThat(version).as("tally.version, set by the build").isNotBlank();

        for (List<String> tool : List.of(
                List.of("client", "tally-client"),
                List.of("ops", "tally-ops"),
                List.of("analytics-example", "tally-analytics-example"),
                List.of("bench", "tally-bench"))) {
            String jar = run(ROOT.resolve("bin/module-jar").toString(), tool.get(0), tool.get(1));
            assertThat(jar).as(tool.get(1) + "'s jar").endsWith("-exec.jar");

            assertThat(run(java(), "-jar", jar, "--version")).isEqualTo(tool.get(1) + " " + version);
        }
        Path embedded = ROOT.resolve("embedded/target/tally-embedded-exec.jar");
        assertThat(Files.exists(embedded)).isTrue();
        assertThat(run(java(), "-jar", embedded.toString(), "--version")).isEqualTo("tally-embedded " + version);
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as(String.join(" ", command))
                .isTrue();
        assertThat(process.exitValue())
                .as(String.join(" ", command) + ": " + out)
                .isZero();
        return out;
    }
}
