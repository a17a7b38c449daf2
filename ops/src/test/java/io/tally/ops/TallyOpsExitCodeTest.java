package io.tally.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The exit codes and the one-line error of every command, through the real command line: no database or broker runs,
 * the unreachable ones are closed local ports, which refuse at once.
 */
class TallyOpsExitCodeTest {

    private static final String CLOSED_DATABASE = "jdbc:postgresql://127.0.0.1:1/x";
    private static final String CLOSED_BROKER = "127.0.0.1:1";

    /** What a run printed and answered. */
    record Run(int exitCode, String out, String err, Duration took) {}

    @TempDir
    Path directory;

    @Test
    void shouldExitTwoWithOneLineWhenAnOptionIsUnknown() {
        // given
        String[] args = {"replay", "--from-beginning", "--frobnicate"};

        // when
        Run run = run(args);

        // then
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_RUN);
        assertOneLine(run.err());
        assertThat(run.err())
                .startsWith("tally-ops: Unknown option: '--frobnicate'")
                .contains("(see 'tally-ops replay --help')");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void shouldExitTwoWithOneLineWhenARequiredOptionIsMissing() {
        // given
        String[] args = {"replay"};

        // when
        Run run = run(args);

        // then
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_RUN);
        assertOneLine(run.err());
        assertThat(run.err()).startsWith("tally-ops: Missing required argument").contains("--from-time");
    }

    @Test
    void shouldExitTwoWithOneLineWhenAValueDoesNotParse() {
        // given
        String[] args = {"replay", "--from-time", "yesterday"};

        // when
        Run run = run(args);

        // then
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_RUN);
        assertOneLine(run.err());
        assertThat(run.err()).startsWith("tally-ops: Invalid value for option '--from-time'");
    }

    @Test
    void shouldSuggestTheSubcommandWhenItIsMisspelt() {
        // given
        String[] args = {"rebiuld"};

        // when
        Run run = run(args);

        // then
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_RUN);
        assertOneLine(run.err());
        assertThat(run.err()).contains("did you mean rebuild, ");
    }

    @Test
    void shouldExitTwoWhenNoSubcommandIsGiven() {
        // given
        String[] args = {};

        // when
        Run run = run(args);

        // then
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_RUN);
        assertOneLine(run.err());
        assertThat(run.err())
                .startsWith("tally-ops: Missing subcommand: replay, redrive, rebuild, tenants or api-keys");
    }

    @Test
    void shouldRejectAnUnknownActionBeforeReachingTheDatabaseWhenApiKeysIsMisused() {
        // given
        String[] args = {"api-keys", "rotate", "--tenant", "demo", "--jdbc-url", CLOSED_DATABASE};

        // when
        Run run = run(args);

        // then
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_RUN);
        assertOneLine(run.err());
        assertThat(run.err())
                .startsWith("tally-ops: Unknown action 'rotate': expected list, add or revoke")
                .doesNotContain("PostgreSQL");
    }

    @Test
    void shouldRejectBadTenantArgumentsBeforeReachingTheDatabaseWhenTenantsIsMisused() {
        for (String[] args : new String[][] {
            {"tenants", "create", "--jdbc-url", CLOSED_DATABASE},
            {"tenants", "create", "--name", "Acme", "--id", "Acme Inc", "--jdbc-url", CLOSED_DATABASE},
            {"tenants", "disable", "--jdbc-url", CLOSED_DATABASE},
            {"tenants", "enable", "--tenant", "demo", "--jdbc-url", CLOSED_DATABASE}
        }) {
            // when
            Run run = run(args);

            // then
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCodes.CANNOT_RUN);
            assertOneLine(run.err());
            assertThat(run.err())
                    .as(String.join(" ", args))
                    .containsAnyOf("needs --name", "--id must be", "needs --tenant", "Unknown action 'enable'")
                    .doesNotContain("PostgreSQL");
        }
    }

    @Test
    void shouldExitTwoWithOneLineWhenTheDatabaseIsUnreachable() {
        // given
        String[] args = {"api-keys", "list", "--tenant", "demo", "--jdbc-url", CLOSED_DATABASE};

        // when
        Run run = run(args);

        // then
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_RUN);
        assertThat(run.err())
                .isEqualTo("tally-ops: cannot reach PostgreSQL at " + CLOSED_DATABASE + ": Connection refused"
                        + System.lineSeparator());
        assertThat(run.took()).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void shouldMaskEverySecretWhenTheUnreachableDatabaseUrlHoldsOne() throws IOException {
        // given
        Path passwordFile = Files.writeString(directory.resolve("db-password"), "pw-from-file-4711\n");
        Path envelopeKey = Files.writeString(directory.resolve("envelope.key"), "envelope-secret-0815\n");
        String[] args = {
            "rebuild",
            "--envelope-key",
            "k1=" + envelopeKey,
            "--db-password-file",
            passwordFile.toString(),
            "--jdbc-url",
            "jdbc:postgresql://ops:url-secret-42@127.0.0.1:1/x?ssl=false&password=query-secret-42"
        };

        // when
        Run run = run(args);

        // then
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_RUN);
        assertOneLine(run.err());
        assertThat(run.err())
                .startsWith("tally-ops: cannot reach PostgreSQL at jdbc:postgresql://***@127.0.0.1:1/x?ssl=false"
                        + "&password=***: ")
                .doesNotContain("url-secret-42", "query-secret-42", "pw-from-file-4711", "envelope-secret-0815");
    }

    @Test
    void shouldExitTwoWithOneLineWhenAnEnvelopeKeyFileIsMissing() {
        // given
        String[] args = {"rebuild", "--envelope-key", "k1=" + directory.resolve("absent.key")};

        // when
        Run run = run(args);

        // then
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_RUN);
        assertOneLine(run.err());
        assertThat(run.err()).startsWith("tally-ops: cannot read ").contains("absent.key: no such file");
    }

    @Test
    void shouldExitTwoQuicklyWhenTheBrokerIsUnreachableForTheAdminClient() {
        // given
        String[] args = {"replay", "--from-beginning", "--bootstrap-servers", CLOSED_BROKER};

        // when
        Run run = run(args);

        // then
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_RUN);
        assertOneLine(run.err());
        assertThat(run.err()).startsWith("tally-ops: cannot reach Kafka at " + CLOSED_BROKER + ": ");
        assertThat(run.took()).isLessThan(Connections.TIMEOUT.multipliedBy(3));
    }

    @Test
    void shouldExitTwoQuicklyWhenTheBrokerIsUnreachableForTheConsumer() {
        // given
        String[] args = {"redrive", "--bootstrap-servers", CLOSED_BROKER};

        // when
        Run run = run(args);

        // then
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_RUN);
        assertOneLine(run.err());
        assertThat(run.err()).startsWith("tally-ops: cannot reach Kafka at " + CLOSED_BROKER + ": ");
        assertThat(run.took()).isLessThan(Connections.TIMEOUT.multipliedBy(3));
    }

    @Test
    void shouldListTheExitCodesWhenHelpIsAskedOfAnyCommand() {
        for (String command : new String[] {"replay", "redrive", "rebuild", "tenants", "api-keys"}) {
            // given
            String[] args = {command, "--help"};

            // when
            Run run = run(args);

            // then
            assertThat(run.exitCode()).as(command).isEqualTo(ExitCodes.DONE);
            assertThat(run.out())
                    .as(command)
                    .contains("Exit codes:")
                    .containsPattern("\\s0\\s+\\S")
                    .containsPattern("\\s2\\s+Could not run");
        }
        assertThat(run("rebuild", "--help").out()).containsPattern("\\s1\\s+Differences found");
        assertThat(run("--help").out()).containsPattern("\\s1\\s+rebuild found differences");
    }

    private static Run run(String... args) {
        CommandLine commandLine = TallyOps.commandLine();
        var out = new StringWriter();
        var err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        long start = System.nanoTime();
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString(), Duration.ofNanos(System.nanoTime() - start));
    }

    private static void assertOneLine(String err) {
        assertThat(err.lines()).hasSize(1);
        assertThat(err).endsWith(System.lineSeparator()).doesNotContain("\tat ", "Caused by");
    }
}
