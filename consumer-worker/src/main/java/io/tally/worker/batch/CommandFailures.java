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
     * SQLState classes of failures that waiting cures, or that no value of a command can cause: 08 connection
     * exception, 25 invalid transaction state (a read-only server after a failover), 40 transaction rollback
     * (serialization, deadlock), 42 access rule or undefined object (a revoked grant, a column gone during a rolling
     * deploy: the statement is Tally's, not the client's), 53 insufficient resources, 58 system error (I/O), 0A feature
     * not supported (a cached plan); and 57P01-57P05 (server shutting down, crash recovery, idle session timeouts) and
     * 55P03 (lock not available).
     */
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "25", "40", "42", "53", "58", "0A");

    private static final Set<String> TRANSIENT_STATES = Set.of("57P01", "57P02", "57P03", "57P04", "57P05", "55P03");

    /** Reasons are one line of at most this many characters. */
    static final int MAX_REASON = 300;

    private CommandFailures() {}

    /**
     * Whether retrying the same work later may succeed without anything about the command changing. PostgreSQL's own
     * SQLState decides where there is one (the same state may reach here through jOOQ, Spring or the COPY API); an
     * SQLException without one is the driver or the pool failing (a closed pool while shutting down, a lost socket).
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (cause instanceof SQLException sql) {
                String state = sqlState(sql);
                if (state == null) {
                    return true;
                }
                return TRANSIENT_CLASSES.contains(state.substring(0, Math.min(2, state.length())))
                        || TRANSIENT_STATES.contains(state);
            }
        }
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (cause instanceof SQLTransientException
                    || cause instanceof SQLRecoverableException
                    || cause instanceof org.apache.kafka.common.errors.RetriableException
                    || cause instanceof org.springframework.dao.TransientDataAccessException
                    || cause instanceof org.springframework.dao.RecoverableDataAccessException
                    || cause instanceof org.springframework.dao.DataAccessResourceFailureException
                    || cause instanceof org.springframework.transaction.CannotCreateTransactionException
                    || cause instanceof java.net.ConnectException
                    || cause instanceof java.net.SocketException
                    || cause instanceof java.io.EOFException
                    || cause instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the failure is an integrity violation (SQLState class 23): possibly a race with a command of another
     * partition that took the same unique key, which a fresh attempt decides as a business refusal.
     */
    static boolean isConflict(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (cause instanceof SQLException sql) {
                String state = sqlState(sql);
                return state != null && state.startsWith("23");
            }
        }
        return false;
    }

    /**
     * Whether a batch decided on cached state was refused as it was written: a license changed since it was cached
     * (SQLState {@code TL001}, raised by {@code tally_expect_written}) or a command id or Idempotency-Key already
     * stored (class 23). The batch is decided again after reading and locking, which answers those from the ledger.
     */
    static boolean isCachedWriteRefused(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (cause instanceof SQLException sql) {
                String state = sqlState(sql);
                return state != null && (state.equals(STALE_CACHE_STATE) || state.startsWith("23"));
            }
        }
        return false;
    }

    /** The SQLState {@code tally_expect_written} raises (a class of our own, TL). */
    static final String STALE_CACHE_STATE = "TL001";

    /** The SQLState of the server's error: a batch's first failing entry's, where the driver chains it. */
    private static String sqlState(SQLException sql) {
        if (sql instanceof java.sql.BatchUpdateException batch && batch.getNextException() != null) {
            return sqlState(batch.getNextException());
        }
        return sql.getSQLState();
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
            if (cause instanceof SQLException sql) {
                String state = sqlState(sql);
                return state != null && state.startsWith("22");
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
        for (Throwable cause = failure; cause != null && text == null; cause = next(cause)) {
            if (cause instanceof SQLException sql) {
                org.postgresql.util.PSQLException server = serverError(sql);
                text = server != null
                        ? "PostgreSQL " + server.getSQLState() + ": "
                                + server.getServerErrorMessage().getMessage()
                        // The driver's own messages can quote the statement with its values (a batch entry).
                        : cause.getClass().getSimpleName() + " " + sqlState(sql);
            } else if (cause instanceof AnswerTooLargeException) {
                text = cause.getMessage();
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

    /** The server's error behind {@code sql}: itself, or the one a batch chains as its next exception. */
    private static org.postgresql.util.PSQLException serverError(SQLException sql) {
        for (SQLException one = sql; one != null; one = one.getNextException()) {
            if (one instanceof org.postgresql.util.PSQLException psql && psql.getServerErrorMessage() != null) {
                return psql;
            }
        }
        return null;
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
