package io.tally.worker;

import io.tally.worker.sql.JdbcTransactions;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.DefaultConfiguration;

/** How the worker talks to PostgreSQL, shared with the operators' rebuild so that both apply commands alike. */
public final class WorkerDatabase {

    private WorkerDatabase() {}

    /**
     * jOOQ with transactions of its own (savepoints for nested ones) straight on the pool, apart from Spring's
     * transaction synchronization, and without a round trip to read the isolation level ({@link JdbcTransactions}).
     */
    public static DSLContext dsl(DataSource dataSource) {
        var connections = new DataSourceConnectionProvider(dataSource);
        return DSL.using(new DefaultConfiguration()
                .set(connections)
                .set(new JdbcTransactions(connections))
                .set(SQLDialect.POSTGRES));
    }
}
