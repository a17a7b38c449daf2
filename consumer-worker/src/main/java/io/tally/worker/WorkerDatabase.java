package io.tally.worker;

import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.DefaultTransactionProvider;

/** How the worker talks to PostgreSQL, shared with the operators' rebuild so that both apply commands alike. */
public final class WorkerDatabase {

    private WorkerDatabase() {}

    /**
     * jOOQ with its own transactions (savepoints for nested ones) straight on the pool, apart from Spring's transaction
     * synchronization, which belongs to the listener container's Kafka transaction (replies, events, offsets).
     */
    public static DSLContext dsl(DataSource dataSource) {
        var connections = new DataSourceConnectionProvider(dataSource);
        return DSL.using(new DefaultConfiguration()
                .set(connections)
                .set(new DefaultTransactionProvider(connections, true))
                .set(SQLDialect.POSTGRES));
    }
}
