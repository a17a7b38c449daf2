package io.tally.worker.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * One array bound to a {@code ?} of a statement.
 *
 * @param elementType the PostgreSQL name of its elements' type as the driver sends them ({@code int8}, {@code bool},
 *     {@code uuid}, {@code text}...); the statement casts where the column's type differs
 * @param values its elements, {@code null} for SQL NULL
 */
public record ArrayParameter(String elementType, Object[] values) {

    /** Binds {@code parameters} to the statement's {@code ?}s in order, from the first. */
    public static void bind(Connection connection, PreparedStatement statement, List<ArrayParameter> parameters)
            throws SQLException {
        for (int i = 0; i < parameters.size(); i++) {
            ArrayParameter parameter = parameters.get(i);
            statement.setArray(i + 1, connection.createArrayOf(parameter.elementType(), parameter.values()));
        }
    }
}
