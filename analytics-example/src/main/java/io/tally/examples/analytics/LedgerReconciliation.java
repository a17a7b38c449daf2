package io.tally.examples.analytics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares what the stream says with Tally's own record: units per hour and product counted from the events against
 * the same sums over PostgreSQL's ledger. An operator of an analytics store would run the same check after loading it.
 * Rows with no units on either side are left out (a refused request for an unknown license has a product in its event
 * but no license in the ledger).
 */
public final class LedgerReconciliation {

    private LedgerReconciliation() {}

    /** "hour product" to [license units, feature units], from the events. */
    public static Map<String, List<Long>> fromEvents(HourlyUsage usage) {
        Map<String, List<Long>> rows = new TreeMap<>();
        usage.rows().forEach((key, units) -> {
            if (units.license() != 0 || units.feature() != 0) {
                rows.merge(
                        key.hour() + " " + key.tenant() + " " + key.product(),
                        List.of(units.license(), units.feature()),
                        (a, b) -> List.of(a.get(0) + b.get(0), a.get(1) + b.get(1)));
            }
        });
        return rows;
    }

    /** The same, from the ledger of the database {@code connection} reaches; {@code tenant} may be null for all. */
    public static Map<String, List<Long>> fromLedger(Connection connection, String tenant) throws SQLException {
        Map<String, List<Long>> rows = new TreeMap<>();
        try (PreparedStatement query = connection.prepareStatement("select date_trunc('hour', l.accepted_at at time"
                + " zone 'UTC'), l.tenant_id, p.short_code,"
                + " sum(case when l.command_type = 'ConsumeLicense' then coalesce(l.total_after - l.total_before, 0)"
                + " else 0 end),"
                + " sum(case when l.command_type = 'ConsumeFeature' then coalesce(l.total_after - l.total_before, 0)"
                + " else 0 end)"
                + " from command_ledger l join license c on c.id = l.license_id join product p on p.id = c.product_id"
                + " where l.command_type in ('ConsumeLicense', 'ConsumeFeature') and (? is null or l.tenant_id = ?)"
                + " group by 1, 2, 3")) {
            query.setString(1, tenant);
            query.setString(2, tenant);
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    if (result.getLong(4) != 0 || result.getLong(5) != 0) {
                        rows.put(
                                result.getTimestamp(1).toLocalDateTime().toInstant(ZoneOffset.UTC) + " "
                                        + result.getString(2) + " " + result.getString(3),
                                List.of(result.getLong(4), result.getLong(5)));
                    }
                }
            }
        }
        return rows;
    }
}
