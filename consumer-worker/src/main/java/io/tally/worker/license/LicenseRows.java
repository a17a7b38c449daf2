package io.tally.worker.license;

import static io.tally.worker.db.Tables.DEVICE;
import static io.tally.worker.db.Tables.FLOATING_SEAT;
import static io.tally.worker.db.Tables.LICENSE;
import static io.tally.worker.db.Tables.LICENSE_FEATURE;
import static io.tally.worker.db.Tables.PRODUCT;
import static io.tally.worker.db.Tables.PRODUCT_FEATURE;

import io.tally.worker.db.tables.records.DeviceRecord;
import io.tally.worker.db.tables.records.FloatingSeatRecord;
import io.tally.worker.db.tables.records.LicenseRecord;
import io.tally.worker.db.tables.records.ProductRecord;
import io.tally.worker.sql.ArrayParameter;
import io.tally.worker.sql.StatementResults;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;

/**
 * License rows with their products, devices, features and seats, read in one round trip: five statements sent together
 * (PgJDBC sends the statements of one prepared text with one Sync), each selecting the same licenses. A worker that
 * meets a license it has not cached pays one wait for the database for all of them instead of four. Inside the
 * caller's transaction; stateless.
 */
final class LicenseRows {

    /**
     * What was read: products, license rows (in id order), devices (in id order), features with their codes, and the
     * seats of floating licenses and features.
     */
    record Read(
            List<ProductRecord> products,
            List<LicenseRecord> licenses,
            List<DeviceRecord> devices,
            List<Record> features,
            List<FloatingSeatRecord> seats) {}

    /** The license features' columns and their product features' code, name and type, in this order. */
    static final Field<?>[] FEATURE_FIELDS = Stream.concat(
                    Arrays.stream(LICENSE_FEATURE.fields()),
                    Stream.of(PRODUCT_FEATURE.CODE, PRODUCT_FEATURE.NAME, PRODUCT_FEATURE.FEATURE_TYPE))
            .toArray(Field<?>[]::new);

    /**
     * Licenses named by product and key or user; parameters: tenants, short codes, license keys, usernames. Keys and
     * users are looked up apart: as one {@code key = any(?) or username = any(?)}, the generic plan PgJDBC's prepared
     * statements settle on walked every license of the product through one index (10,000 rows read per lookup
     * with 10,000 licenses, most of PostgreSQL's time under load). Each half is an index lookup on (product, name); a
     * license has a key or a user, never both, so the halves never overlap.
     */
    private static final String NAMED = "with named_product as (select p.id from product p"
            + " where (p.tenant_id, p.short_code) in (select * from unnest(?::varchar[], ?::varchar[])))"
            + " select l.id from license l where l.product_id in (select id from named_product)"
            + " and l.license_key = any(?::varchar[])"
            + " union all select l.id from license l where l.product_id in (select id from named_product)"
            + " and l.username = any(?::varchar[])";

    /** Licenses by id; parameter: the ids. */
    private static final String BY_ID = "select unnest(?::bigint[])";

    private static final String BY_NAME = String.join(
            ";\n",
            "select " + columns(PRODUCT, "p") + " from product p"
                    + " where (p.tenant_id, p.short_code) in (select * from unnest(?::varchar[], ?::varchar[]))",
            "select " + columns(LICENSE, "l") + " from license l where l.id in (" + NAMED + ") order by l.id"
                    + " for update",
            devices(NAMED),
            features(NAMED),
            seats(NAMED));

    private static final String BY_IDS = String.join(
            ";\n",
            "select " + columns(PRODUCT, "p") + " from product p"
                    + " where p.id in (select l.product_id from license l where l.id in (" + BY_ID + "))",
            "select " + columns(LICENSE, "l") + " from license l where l.id in (" + BY_ID + ") order by l.id",
            devices(BY_ID),
            features(BY_ID),
            seats(BY_ID));

    private LicenseRows() {}

    /**
     * The products named by {@code tenants} and {@code shortCodes} (pairwise), and the licenses of those products whose
     * key is among {@code licenseKeys} or whose user is among {@code usernames}, locked ({@code FOR UPDATE}, in id order),
     * with their devices and features.
     */
    static Read byName(DSLContext tx, String[] tenants, String[] shortCodes, String[] licenseKeys, String[] usernames) {
        List<ArrayParameter> products =
                List.of(new ArrayParameter("text", tenants), new ArrayParameter("text", shortCodes));
        List<ArrayParameter> named = List.of(
                new ArrayParameter("text", tenants),
                new ArrayParameter("text", shortCodes),
                new ArrayParameter("text", licenseKeys),
                new ArrayParameter("text", usernames));
        List<ArrayParameter> parameters = new ArrayList<>(products);
        for (int i = 0; i < 4; i++) {
            parameters.addAll(named);
        }
        return read(tx, BY_NAME, parameters);
    }

    /** The licenses {@code ids} names, their products, devices and features; the caller holds their locks. */
    static Read byIds(DSLContext tx, Long[] ids) {
        List<ArrayParameter> parameters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            parameters.add(new ArrayParameter("int8", ids));
        }
        return read(tx, BY_IDS, parameters);
    }

    private static Read read(DSLContext tx, String sql, List<ArrayParameter> parameters) {
        return tx.connectionResult(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                ArrayParameter.bind(connection, statement, parameters);
                statement.execute();
                List<ProductRecord> products = tx.fetch(StatementResults.next(statement, true), PRODUCT.fields())
                        .into(PRODUCT);
                List<LicenseRecord> licenses = tx.fetch(StatementResults.next(statement, false), LICENSE.fields())
                        .into(LICENSE);
                List<DeviceRecord> devices = tx.fetch(StatementResults.next(statement, false), DEVICE.fields())
                        .into(DEVICE);
                List<Record> features =
                        new ArrayList<>(tx.fetch(StatementResults.next(statement, false), FEATURE_FIELDS));
                List<FloatingSeatRecord> seats = tx.fetch(
                                StatementResults.next(statement, false), FLOATING_SEAT.fields())
                        .into(FLOATING_SEAT);
                return new Read(products, licenses, devices, features, seats);
            }
        });
    }

    private static String devices(String licenses) {
        return "select " + columns(DEVICE, "d") + " from device d where d.license_id in (" + licenses + ")"
                + " order by d.id";
    }

    private static String seats(String licenses) {
        return "select " + columns(FLOATING_SEAT, "s") + " from floating_seat s where s.license_id in (" + licenses
                + ")";
    }

    private static String features(String licenses) {
        return "select " + columns(LICENSE_FEATURE, "lf") + ", pf.code, pf.name, pf.feature_type"
                + " from license_feature lf join product_feature pf on pf.id = lf.product_feature_id"
                + " where lf.license_id in (" + licenses + ") order by pf.id";
    }

    /** A table's columns in the order of its generated record, so that rows map by position. */
    private static String columns(Table<?> table, String alias) {
        return Arrays.stream(table.fields())
                .map(field -> alias + ".\"" + field.getName() + "\"")
                .collect(Collectors.joining(", "));
    }
}
