package io.tally.embedded;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Plain SQL for setting up and checking integration tests; the code under test never goes through here. */
final class Database {

    private Database() {}

    /** Connections of their own, for tests that outlive the worker's pool (a worker stopped and started again). */
    static DataSource of(String jdbcUrl, String user, String password) {
        var dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setUrl(jdbcUrl);
        dataSource.setUser(user);
        dataSource.setPassword(password);
        return dataSource;
    }

    /** A new database {@code name} on the test server, with the worker's migrations applied. */
    static DataSource migrated(io.tally.testsupport.TestInfrastructure infra, String name) {
        var server = infra.databaseServer();
        String url = infra.newDatabase(name);
        org.flywaydb.core.Flyway.configure()
                .dataSource(url, server.username(), server.password())
                .locations("classpath:db/migration")
                .load()
                .migrate();
        return of(url, server.username(), server.password());
    }

    static void execute(DataSource dataSource, String statement) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute(statement);
        }
    }

    /** The first column of the first row, which the query must return. */
    static long queryLong(DataSource dataSource, String query) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            var rows = connection.createStatement().executeQuery(query);
            if (!rows.next()) {
                throw new AssertionError("no row for: " + query);
            }
            return rows.getLong(1);
        }
    }

    /** The first column of every row, in the query's order. */
    static java.util.List<String> queryStrings(DataSource dataSource, String query) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            var rows = connection.createStatement().executeQuery(query);
            var values = new java.util.ArrayList<String>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        }
    }
}
