package io.tally.ops;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Reports bad arguments and failures as one line on stderr, {@code tally-ops: <what went wrong>}, never a stack trace,
 * and exits with {@link ExitCodes#CANNOT_RUN} (the command's {@code exitCodeOnInvalidInput} and
 * {@code exitCodeOnExecutionException}). Secrets are masked: URL user-info and password parameters, and every secret
 * value the command's {@link Connections} knows of.
 */
final class OneLineErrors implements IExecutionExceptionHandler, IParameterExceptionHandler {

    static final String PREFIX = "tally-ops: ";

    /** Long enough for any useful message; a runaway one (a whole SQL statement) is cut. */
    private static final int MAX_LENGTH = 400;

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine commandLine = ex.getCommandLine();
        CommandSpec spec = commandLine.getCommandSpec();
        String message = ex.getMessage() == null ? "invalid arguments" : ex.getMessage();
        // Some of picocli's messages start with "Error: ", which the prefix already says.
        StringBuilder line = new StringBuilder(message.replaceFirst("^Error: ", ""));
        if (ex instanceof UnmatchedArgumentException unmatched
                && !unmatched.getSuggestions().isEmpty()) {
            List<String> suggestions = unmatched.getSuggestions();
            line.append("; did you mean ");
            if (suggestions.size() > 1) {
                line.append(String.join(", ", suggestions.subList(0, suggestions.size() - 1)))
                        .append(" or ");
            }
            line.append(suggestions.getLast()).append('?');
        }
        line.append(" (see '").append(spec.qualifiedName()).append(" --help')");
        print(commandLine, line.toString());
        return exitCode(commandLine, ex, spec.exitCodeOnInvalidInput());
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        Connections connections = connectionsOf(commandLine.getCommandSpec());
        print(commandLine, describe(ex, connections == null ? null : connections.bootstrapServers()));
        return exitCode(commandLine, ex, commandLine.getCommandSpec().exitCodeOnExecutionException());
    }

    /**
     * What went wrong, for the operator: a failure the tool put into words itself as it is, an unreachable Kafka or a
     * PostgreSQL error by the system's own reason, anything else by its type and message.
     *
     * @param bootstrapServers where the command looks for Kafka, or {@code null}
     */
    static String describe(Throwable failure, String bootstrapServers) {
        Throwable top = unwrap(failure);
        List<Throwable> chain = chain(top);
        for (Throwable cause : chain) {
            if (cause instanceof CannotRunException) {
                return cause.getMessage();
            }
        }
        String kafka = bootstrapServers == null ? "Kafka" : "Kafka at " + bootstrapServers;
        KafkaException kafkaFailure = null;
        SQLException databaseFailure = null;
        for (Throwable cause : chain) {
            if (cause instanceof KafkaException k) {
                kafkaFailure = k; // the deepest: the wrappers only say which call failed
            }
            if (cause instanceof SQLException sql) {
                databaseFailure = sql;
            }
        }
        if (kafkaFailure != null) {
            boolean unreachable = kafkaFailure instanceof TimeoutException
                    || kafkaFailure instanceof NetworkException
                    || kafkaFailure instanceof DisconnectException
                    || (kafkaFailure instanceof ConfigException
                            && String.valueOf(kafkaFailure.getMessage()).contains("bootstrap"));
            return (unreachable ? "cannot reach " : "") + kafka + ": " + messageOf(kafkaFailure);
        }
        if (databaseFailure != null) {
            // A server error's first line is the error; the lines after it (detail, where) may quote data.
            return "PostgreSQL: "
                    + messageOf(databaseFailure).lines().findFirst().orElse("");
        }
        return describeOwn(top);
    }

    /** The tool's own exceptions say what failed; any other's type helps to tell what it means. */
    private static String describeOwn(Throwable failure) {
        boolean worded = failure instanceof IllegalArgumentException
                || failure instanceof IllegalStateException
                || failure instanceof java.io.UncheckedIOException;
        if (worded && failure.getMessage() != null) {
            return failure.getMessage();
        }
        String message = failure.getMessage() == null
                ? failure.getClass().getSimpleName()
                : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        Throwable cause = failure.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
        }
        return message;
    }

    private static String messageOf(Throwable failure) {
        return failure.getMessage() != null
                ? failure.getMessage()
                : failure.getClass().getSimpleName();
    }

    /** Past the wrappers that only say a failure happened elsewhere (a future's, a reflective call's). */
    private static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while (current.getCause() != null
                && (current instanceof ExecutionException
                        || current instanceof CompletionException
                        || current instanceof UndeclaredThrowableException
                        || current instanceof InvocationTargetException
                        || current instanceof CommandLine.ExecutionException)) {
            current = current.getCause();
        }
        return current;
    }

    private static List<Throwable> chain(Throwable failure) {
        var chain = new java.util.ArrayList<Throwable>();
        for (Throwable cause = failure; cause != null && !chain.contains(cause); cause = cause.getCause()) {
            chain.add(cause);
        }
        return chain;
    }

    /** {@code tally-ops: <message>} on one line, secrets masked. */
    private static void print(CommandLine commandLine, String message) {
        Connections connections = connectionsOf(commandLine.getCommandSpec());
        Collection<String> secrets = connections == null ? Set.of() : connections.secrets();
        String line = Redaction.scrub(oneLine(message), secrets);
        if (line.length() > MAX_LENGTH) {
            line = line.substring(0, MAX_LENGTH) + "...";
        }
        commandLine.getErr().println(PREFIX + line);
        commandLine.getErr().flush();
    }

    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static int exitCode(CommandLine commandLine, Exception ex, int otherwise) {
        var mapper = commandLine.getExitCodeExceptionMapper();
        return mapper != null ? mapper.getExitCode(ex) : otherwise;
    }

    /** The command's connection options, if it has them. */
    private static Connections connectionsOf(CommandSpec spec) {
        for (CommandSpec mixin : spec.mixins().values()) {
            if (mixin.userObject() instanceof Connections connections) {
                return connections;
            }
        }
        return null;
    }
}
