package io.tally.worker.sql;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The result sets of statements sent together in one prepared text, in order. */
public final class StatementResults {

    private StatementResults() {}

    /**
     * The rows of the statement's first result ({@code first}) or of its next one; each statement sent must return rows.
     */
    public static ResultSet next(PreparedStatement statement, boolean first) throws SQLException {
        if (!first && !statement.getMoreResults()) {
            throw new SQLException("a statement sent together with others returned no rows");
        }
        ResultSet rows = statement.getResultSet();
        if (rows == null) {
            throw new SQLException("a statement sent together with others returned no rows");
        }
        return rows;
    }
}
