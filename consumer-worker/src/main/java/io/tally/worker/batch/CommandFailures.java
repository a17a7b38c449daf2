package io.tally.worker.batch;

import io.tally.protocol.Rejection;
import io.tally.protocol.RejectionType;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;
import java.util.UUID;

/**
 * Tells a failure that waiting cures from one that repeats on every attempt (ADR 19).
 *
 * <p>Transient: PostgreSQL or the broker out of reach or shutting down, a connection lost, a pool exhausted, a
 * serialization failure or deadlock, a lock not granted in time. The worker retries such a batch, with backoff, for as
 * long as it takes. Everything else is permanent: the same command fails the same way at every delivery, so the batch
 * is split until the command is found and that command alone is refused and dead-lettered.
 *
 * <p>Pure functions of the exception and its causes; thread-safe.
 */
public final class CommandFailures {

    /**
     * SQLState classes of failures that waiting cures: 08 connection exception, 40 transaction rollback (serialization,
     * deadlock), 53 insufficient resources, 58 system error (I/O); and 57P01-57P05 (server shutting down, crash
     * recovery, idle session timeouts) and 55P03 (lock not available).
     */
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "40", "53", "58");

    private static final Set<String> TRANSIENT_STATES = Set.of("57P01", "57P02", "57P03", "57P04", "57P05", "55P03");

    /** Reasons are one line of at most this many characters. */
    static final int MAX_REASON = 300;

    private CommandFailures() {}

    /** Whether retrying the same work later may succeed without anything about the command changing. */
    public static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (cause instanceof SQLTransientException || cause instanceof SQLRecoverableException) {
                return true; // Hikari's "connection is not available" is an SQLTransientConnectionException
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.length() >= 2 && TRANSIENT_CLASSES.contains(state.substring(0, 2))
                        || TRANSIENT_STATES.contains(state)) {
                    return true;
                }
            }
            if (cause instanceof org.apache.kafka.common.errors.RetriableException
                    || cause instanceof org.springframework.dao.TransientDataAccessException
                    || cause instanceof org.springframework.dao.RecoverableDataAccessException
                    || cause instanceof org.springframework.dao.DataAccessResourceFailureException
                    || cause instanceof java.net.ConnectException
                    || cause instanceof java.net.SocketException
                    || cause instanceof java.io.EOFException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The refusal a command that cannot be applied gets: {@code validation_error} (400) when a value it carries is at
     * fault (PostgreSQL's data exceptions, SQLState class 22, or an answer too large to send), else
     * {@code internal_error} (500) naming the request, so that an operator can find its dead letter and log lines.
     */
    public static Rejection rejectionFor(Throwable failure, UUID requestId) {
        if (isInputFault(failure)) {
            return new Rejection(
                    RejectionType.VALIDATION_ERROR,
                    failure instanceof AnswerTooLargeException tooLarge
                            ? tooLarge.getMessage()
                            : "A value in the request cannot be stored");
        }
        return new Rejection(
                RejectionType.INTERNAL_ERROR,
                "The request could not be applied; nothing changed (request " + requestId + ")");
    }

    static boolean isInputFault(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (cause instanceof AnswerTooLargeException) {
                return true;
            }
            if (cause instanceof SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("22")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why, in one line for the dead letter's reason header and the log: the exception's type, the SQLState and
     * PostgreSQL's primary message where there is one. Never the SQL, its parameters or the server's detail line,
     * which can quote the row (a password digest, a key).
     */
    public static String reason(Throwable failure) {
        String text = null;
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (cause instanceof org.postgresql.util.PSQLException psql && psql.getServerErrorMessage() != null) {
                text = "PostgreSQL " + psql.getSQLState() + ": "
                        + psql.getServerErrorMessage().getMessage();
                break;
            }
            if (cause instanceof SQLException sql) {
                text = cause.getClass().getSimpleName() + " " + sql.getSQLState() + ": " + firstLine(sql.getMessage());
                break;
            }
            if (cause instanceof AnswerTooLargeException) {
                text = cause.getMessage();
                break;
            }
        }
        if (text == null) {
            Throwable root = failure;
            while (next(root) != null) {
                root = next(root);
            }
            // Not a database error: the type says where to look; the message is ours or a library's, never the SQL.
            text = root.getClass().getName() + ": " + firstLine(root.getMessage());
        }
        String oneLine = text.replaceAll("\\p{Cntrl}", " ");
        return oneLine.length() <= MAX_REASON ? oneLine : oneLine.substring(0, MAX_REASON - 1) + "…";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    private static Throwable next(Throwable cause) {
        Throwable next = cause.getCause();
        return next == cause ? null : next;
    }
}
