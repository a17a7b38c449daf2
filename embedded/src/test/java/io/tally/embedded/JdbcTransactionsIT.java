package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.testsupport.TestInfrastructure;
import io.tally.worker.WorkerDatabase;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's jOOQ transactions on a real PostgreSQL: commit, rollback, savepoints for nested transactions, the
 * connection handed back with auto-commit on, and never a round trip to read the isolation level.
 */
class JdbcTransactionsIT {

    static DataSource database;

    /** Every JDBC call made on connections of {@link #recording}, by method name, and the connections handed out. */
    final List<String> calls = new CopyOnWriteArrayList<>();

    final List<Connection> handedOut = new CopyOnWriteArrayList<>();

    DSLContext dsl;

    @BeforeAll
    static void createTable() throws SQLException {
        var infra = TestInfrastructure.get();
        var server = infra.databaseServer();
        database = Database.of(infra.newDatabase("jdbc_transactions_it"), server.username(), server.password());
        Database.execute(database, "create table item (name text primary key)");
    }

    @BeforeEach
    void emptyTable() throws SQLException {
        Database.execute(database, "truncate item");
        dsl = WorkerDatabase.dsl(recording(database));
    }

    @Test
    void shouldKeepRowsWhenTheTransactionCommits() throws SQLException {
        // when
        dsl.transaction(configuration -> insert(configuration.dsl(), "a"));

        // then
        assertThat(names()).containsExactly("a");
        assertThat(calls).doesNotContain("getTransactionIsolation", "setTransactionIsolation");
        assertHandedBackWithAutoCommit();
    }

    @Test
    void shouldDiscardRowsWhenTheTransactionFails() throws SQLException {
        // when
        assertThatThrownBy(() -> dsl.transaction(configuration -> {
                    insert(configuration.dsl(), "a");
                    throw new IllegalStateException("refused");
                }))
                .hasMessageContaining("refused");

        // then
        assertThat(names()).isEmpty();
        assertHandedBackWithAutoCommit();
    }

    @Test
    void shouldUndoOnlyTheNestedTransactionWhenItFails() throws SQLException {
        // when: the outer transaction survives the nested one's failure
        dsl.transaction(configuration -> {
            insert(configuration.dsl(), "outer");
            try {
                configuration.dsl().transaction(nested -> {
                    insert(nested.dsl(), "nested");
                    insert(nested.dsl(), "outer"); // duplicate key
                });
            } catch (RuntimeException expected) {
                // the nested transaction rolled back to its savepoint
            }
            configuration.dsl().transaction(nested -> insert(nested.dsl(), "second nested"));
        });

        // then
        assertThat(names()).containsExactly("outer", "second nested");
        assertThat(handedOut).hasSize(1);
        assertHandedBackWithAutoCommit();
    }

    @Test
    void shouldHandTheConnectionBackWhenTheCommitItselfFails() throws SQLException {
        // given: a constraint checked only at commit
        Database.execute(database, "drop table if exists deferred");
        Database.execute(
                database,
                "create table deferred (name text, constraint unique_name unique (name) deferrable initially deferred)");

        // when
        assertThatThrownBy(() -> dsl.transaction(configuration -> {
            configuration.dsl().execute("insert into deferred values ('x')");
            configuration.dsl().execute("insert into deferred values ('x')");
        }));

        // then
        assertThat(Database.queryLong(database, "select count(*) from deferred"))
                .isZero();
        assertHandedBackWithAutoCommit();
    }

    private static void insert(DSLContext dsl, String name) {
        dsl.execute("insert into item (name) values (?)", name);
    }

    private List<String> names() {
        return DSL.using(database, org.jooq.SQLDialect.POSTGRES)
                .fetch("select name from item order by name")
                .getValues(0, String.class);
    }

    private void assertHandedBackWithAutoCommit() throws SQLException {
        assertThat(handedOut).isNotEmpty();
        for (Connection connection : handedOut) {
            assertThat(calls).contains("close");
            assertThat(connection.isClosed()).isTrue();
        }
        assertThat(calls.lastIndexOf("setAutoCommit:true")).isGreaterThan(calls.lastIndexOf("setAutoCommit:false"));
    }

    /** Connections of {@code target} that record every call made on them into {@link #calls}. */
    private DataSource recording(DataSource target) {
        return new DataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                Connection connection = target.getConnection();
                handedOut.add(connection);
                return (Connection) Proxy.newProxyInstance(
                        Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                            calls.add(
                                    method.getName().equals("setAutoCommit")
                                            ? "setAutoCommit:" + args[0]
                                            : method.getName());
                            try {
                                return method.invoke(connection, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }

            @Override
            public Connection getConnection(String user, String password) {
                throw new UnsupportedOperationException();
            }

            @Override
            public PrintWriter getLogWriter() {
                return null;
            }

            @Override
            public void setLogWriter(PrintWriter out) {}

            @Override
            public void setLoginTimeout(int seconds) {}

            @Override
            public int getLoginTimeout() {
                return 0;
            }

            @Override
            public Logger getParentLogger() {
                return Logger.getGlobal();
            }

            @Override
            public <T> T unwrap(Class<T> type) throws SQLException {
                throw new SQLException("not a wrapper");
            }

            @Override
            public boolean isWrapperFor(Class<?> type) {
                return false;
            }
        };
    }
}
