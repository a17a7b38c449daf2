package io.tally.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.tally.ops.keys.ApiKeysCommand;
import io.tally.ops.rebuild.RebuildCommand;
import io.tally.ops.redrive.RedriveCommand;
import io.tally.ops.replay.ReplayCommand;
import io.tally.ops.tenants.TenantsCommand;
import java.util.Set;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tally-ops}: the operators' tool. Each subcommand is safe to run at any time: those that change something
 * print their plan and change nothing without {@code --execute}, and refuse where running them would break a
 * guarantee.
 *
 * <p>Every command exits with one of {@link ExitCodes}: 0 done (or everything matches), 1 differences found, 2 could
 * not run, with one line on stderr saying why; never a stack trace.
 */
@Command(
        name = "tally-ops",
        mixinStandardHelpOptions = true,
        versionProvider = io.tally.client.TallyVersion.class,
        subcommands = {
            ReplayCommand.class,
            RedriveCommand.class,
            RebuildCommand.class,
            TenantsCommand.class,
            ApiKeysCommand.class,
            io.tally.ops.acl.KafkaAclsCommand.class
        },
        description = "Operate Tally: replay the commands topic, redrive dead letters, rebuild and check the database,"
                + " create and manage tenants and their keys,"
                + " print or create the least-privilege Kafka ACLs.",
        exitCodeOnInvalidInput = ExitCodes.CANNOT_RUN,
        exitCodeOnExecutionException = ExitCodes.CANNOT_RUN,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.DONE_OR_MATCH_HELP, ExitCodes.REBUILD_DIFFERENCES_HELP, ExitCodes.CANNOT_RUN_HELP})
public final class TallyOps implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        quietLibraries();
        int code;
        try {
            code = commandLine().execute(args);
        } catch (Throwable e) { // an Error (out of memory, a missing class): picocli handles only exceptions
            System.err.println(OneLineErrors.PREFIX + Redaction.scrub(OneLineErrors.oneLine(e.toString()), Set.of()));
            code = ExitCodes.CANNOT_RUN;
        }
        System.exit(code);
    }

    /**
     * Library chatter (Kafka's assignment notices, jOOQ's version notice) would bury the tool's own report; their
     * errors still show, except the connection pool's, whose failures the tool reports itself in one line.
     */
    static void quietLibraries() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        ((Logger) LoggerFactory.getLogger("org.apache.kafka")).setLevel(Level.ERROR);
        ((Logger) LoggerFactory.getLogger("org.jooq")).setLevel(Level.ERROR);
        ((Logger) LoggerFactory.getLogger("com.zaxxer.hikari")).setLevel(Level.OFF);
    }

    /**
     * The command line, for tests and for embedding: bad arguments and failures are printed as one line on its error
     * writer and answered with {@link ExitCodes#CANNOT_RUN}, never thrown.
     */
    public static CommandLine commandLine() {
        var errors = new OneLineErrors();
        return new CommandLine(new TallyOps())
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
    }

    /** {@code tally-ops} without a subcommand. */
    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(), "Missing subcommand: replay, redrive, rebuild, tenants or api-keys");
    }
}
