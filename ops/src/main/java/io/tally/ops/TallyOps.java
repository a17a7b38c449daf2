package io.tally.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.tally.ops.rebuild.RebuildCommand;
import io.tally.ops.redrive.RedriveCommand;
import io.tally.ops.replay.ReplayCommand;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tally-ops}: the operators' tool. Each subcommand is safe to run at any time: those that change something
 * print their plan and change nothing without {@code --execute}, and refuse where running them would break a
 * guarantee.
 */
@Command(
        name = "tally-ops",
        mixinStandardHelpOptions = true,
        subcommands = {
            ReplayCommand.class,
            RedriveCommand.class,
            RebuildCommand.class,
            io.tally.ops.keys.ApiKeysCommand.class
        },
        description = "Operate Tally: replay the commands topic, redrive dead letters, rebuild and check the database.")
public final class TallyOps {

    public static void main(String[] args) {
        // Library chatter (Kafka's assignment notices, jOOQ's version notice) would bury the tool's own report; their
        // errors still show.
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        ((Logger) LoggerFactory.getLogger("org.apache.kafka")).setLevel(Level.ERROR);
        ((Logger) LoggerFactory.getLogger("org.jooq")).setLevel(Level.ERROR);
        System.exit(commandLine().execute(args));
    }

    /** The command line, for tests and for embedding; errors are printed, never thrown. */
    public static CommandLine commandLine() {
        return new CommandLine(new TallyOps());
    }
}
