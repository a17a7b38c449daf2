package io.tally.worker.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jooq.ConnectionProvider;
import org.jooq.TransactionContext;
import org.jooq.TransactionProvider;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DefaultConnectionProvider;

/**
 * jOOQ transactions straight on JDBC: a top-level transaction takes a connection from the pool and turns auto-commit
 * off (PgJDBC sends {@code BEGIN} with the first statement, in the same round trip), a nested one is a savepoint, and
 * commit or rollback of the top level hands the connection back with auto-commit on.
 *
 * <p>jOOQ's own {@code DefaultTransactionProvider} asks the connection for its isolation level at the start and end of
 * every transaction, which PgJDBC answers with a {@code SHOW TRANSACTION ISOLATION LEVEL} round trip: one more trip to
 * PostgreSQL per batch on the worker's hottest path, for a setting Tally never changes (every transaction runs at the
 * server's default, read committed). This provider never reads or sets the isolation level.
 *
 * <p>Thread-safe: a transaction's state lives in its own configuration, which belongs to the thread running it.
 */
public final class JdbcTransactions implements TransactionProvider {

    /** The running top-level transaction's connection and its savepoints, in the transaction's configuration. */
    private static final String STATE = JdbcTransactions.class.getName() + ".state";

    /** Marks the top level on the stack of savepoints, so that its commit is told from a nested one's. */
    private static final Savepoint TOP_LEVEL = new Savepoint() {
        @Override
        public int getSavepointId() {
            return 0;
        }

        @Override
        public String getSavepointName() {
            return "top-level";
        }
    };

    private record State(Connection connection, Deque<Savepoint> savepoints) {}

    private final ConnectionProvider connections;

    public JdbcTransactions(ConnectionProvider connections) {
        this.connections = connections;
    }

    @Override
    public void begin(TransactionContext context) {
        State state = (State) context.configuration().data(STATE);
        try {
            if (state == null) {
                Connection connection = connections.acquire();
                try {
                    connection.setAutoCommit(false);
                } catch (SQLException | RuntimeException e) {
                    connections.release(connection);
                    throw e;
                }
                state = new State(connection, new ArrayDeque<>());
                state.savepoints().push(TOP_LEVEL);
                context.configuration().data(STATE, state);
                context.configuration().set(new DefaultConnectionProvider(connection));
            } else {
                state.savepoints().push(state.connection().setSavepoint());
            }
        } catch (SQLException e) {
            throw new DataAccessException("could not begin a transaction", e);
        }
    }

    @Override
    public void commit(TransactionContext context) {
        State state = state(context);
        Savepoint savepoint = state.savepoints().pop();
        try {
            if (savepoint == TOP_LEVEL) {
                try {
                    state.connection().commit();
                } finally {
                    end(context, state);
                }
            } else {
                state.connection().releaseSavepoint(savepoint);
            }
        } catch (SQLException e) {
            throw new DataAccessException("could not commit", e);
        }
    }

    @Override
    public void rollback(TransactionContext context) {
        State state = (State) context.configuration().data(STATE);
        if (state == null) {
            // A failed commit has already ended the transaction and handed its connection back.
            return;
        }
        Savepoint savepoint =
                state.savepoints().isEmpty() ? TOP_LEVEL : state.savepoints().pop();
        try {
            if (savepoint == TOP_LEVEL) {
                try {
                    state.connection().rollback();
                } finally {
                    end(context, state);
                }
            } else {
                state.connection().rollback(savepoint);
            }
        } catch (SQLException e) {
            throw new DataAccessException("could not roll back", e);
        }
    }

    private static State state(TransactionContext context) {
        State state = (State) context.configuration().data(STATE);
        if (state == null) {
            throw new DataAccessException("no transaction is running in this configuration");
        }
        return state;
    }

    /** Auto-commit back on and the connection back to the pool, whatever the commit or rollback did. */
    private void end(TransactionContext context, State state) throws SQLException {
        context.configuration().data().remove(STATE);
        try {
            state.connection().setAutoCommit(true);
        } finally {
            connections.release(state.connection());
        }
    }
}
