package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document passes Redocly's linter (its recommended rules, with the exceptions of redocly.yaml at
 * the repository root), the standard tool a client's developer would run on it first; it catches what a parser lets
 * through, such as a description that YAML's flow style split into stray keys. Needs {@code npx} and the npm registry,
 * like {@link NodeSdkCompatibilityIT}; the linter's version is pinned.
 */
class OpenApiLintIT {

    static final String REDOCLY = "@redocly/cli@2.77.0";

    @Test
    void shouldPassTheStandardLinterWithoutErrorOrWarning() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Process process = new ProcessBuilder(
                        "npx",
                        "-y",
                        REDOCLY,
                        "lint",
                        "--config",
                        root.resolve("redocly.yaml").toString(),
                        "--format",
                        "stylish",
                        root.resolve("api-gateway/src/main/resources/static/openapi.yaml")
                                .toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES))
                .as("the linter finished")
                .isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).as(output).contains("Your API description is valid").doesNotContain("warning  ");
    }
}
