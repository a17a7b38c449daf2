package io.tally.embedded;

import io.tally.ops.TallyOps;
import io.tally.testsupport.TestInfrastructure;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tally-ops} run in the test's JVM, as an operator runs it: connection options first, secrets from files. Each
 * run has its own output and error writers.
 */
final class OpsTool {

    /** What one run printed and how it exited. */
    record Run(int exitCode, String out, String err) {}

    private final List<String> connectionArguments;

    private OpsTool(List<String> connectionArguments) {
        this.connectionArguments = List.copyOf(connectionArguments);
    }

    /**
     * The tool for the test infrastructure's Kafka and PostgreSQL and the database {@code jdbcUrl}, with the envelope
     * key and the database password written to files under {@code secrets}.
     */
    static OpsTool connectedTo(TestInfrastructure infra, String jdbcUrl, String envelopeKey, Path secrets)
            throws IOException {
        var db = infra.databaseServer();
        Path keyFile = Files.writeString(secrets.resolve("envelope.key"), envelopeKey);
        Path passwordFile = Files.writeString(secrets.resolve("db.password"), db.password());
        return new OpsTool(List.of(
                "--bootstrap-servers", infra.bootstrapServers(),
                "--jdbc-url", jdbcUrl,
                "--db-user", db.username(),
                "--db-password-file", passwordFile.toString(),
                "--envelope-key", "k1=" + keyFile));
    }

    List<String> connectionArguments() {
        return connectionArguments;
    }

    Run run(String subcommand, String... arguments) {
        List<String> all = new ArrayList<>();
        all.add(subcommand);
        all.addAll(connectionArguments);
        all.addAll(List.of(arguments));
        var out = new StringWriter();
        var err = new StringWriter();
        var commandLine = TallyOps.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }
}
