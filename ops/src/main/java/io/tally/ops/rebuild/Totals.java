package io.tally.ops.rebuild;

import static io.tally.worker.db.Tables.COMMAND_LEDGER;
import static io.tally.worker.db.Tables.LICENSE;
import static io.tally.worker.db.Tables.LICENSE_FEATURE;
import static io.tally.worker.db.Tables.PRODUCT;
import static io.tally.worker.db.Tables.PRODUCT_FEATURE;

import java.util.Set;
import java.util.TreeMap;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * The figures a rebuild must reproduce, named by what identifies them in any database (tenant, product code, license
 * key or user, feature code), never by generated ids, which differ between databases: each license's and each license
 * feature's total consumptions, and the ledger's count of commands per tenant and outcome.
 */
final class Totals {

    private Totals() {}

    /**
     * @param tenants only these tenants; empty for all
     * @return figure by name, sorted by name
     */
    static TreeMap<String, Long> read(DSLContext db, Set<String> tenants) {
        TreeMap<String, Long> totals = new TreeMap<>();
        Condition ofTenants = tenants.isEmpty() ? DSL.trueCondition() : PRODUCT.TENANT_ID.in(tenants);
        // Several licenses of one product may share a user; they are told apart by creation order.
        Field<Integer> nth = DSL.rowNumber()
                .over(DSL.partitionBy(LICENSE.PRODUCT_ID, LICENSE.LICENSE_KEY, LICENSE.USERNAME)
                        .orderBy(LICENSE.ID))
                .as("nth");
        var licenses = db.select(
                        LICENSE.ID,
                        PRODUCT.TENANT_ID,
                        PRODUCT.SHORT_CODE,
                        LICENSE.LICENSE_KEY,
                        LICENSE.USERNAME,
                        nth,
                        LICENSE.TOTAL_CONSUMPTIONS)
                .from(LICENSE)
                .join(PRODUCT)
                .on(PRODUCT.ID.eq(LICENSE.PRODUCT_ID))
                .where(ofTenants)
                .fetch();
        var names = new java.util.HashMap<Long, String>();
        licenses.forEach(row -> {
            String name = row.get(PRODUCT.TENANT_ID) + "/" + row.get(PRODUCT.SHORT_CODE) + "/"
                    + (row.get(LICENSE.LICENSE_KEY) != null
                            ? "key " + row.get(LICENSE.LICENSE_KEY)
                            : "user " + row.get(LICENSE.USERNAME))
                    + (row.get(nth) > 1 ? " #" + row.get(nth) : "");
            names.put(row.get(LICENSE.ID), name);
            totals.put(name + " total_consumptions", row.get(LICENSE.TOTAL_CONSUMPTIONS));
        });
        db.select(LICENSE_FEATURE.LICENSE_ID, PRODUCT_FEATURE.CODE, LICENSE_FEATURE.TOTAL_CONSUMPTIONS)
                .from(LICENSE_FEATURE)
                .join(PRODUCT_FEATURE)
                .on(PRODUCT_FEATURE.ID.eq(LICENSE_FEATURE.PRODUCT_FEATURE_ID))
                .where(LICENSE_FEATURE.LICENSE_ID.in(names.keySet()))
                .forEach(row -> totals.put(
                        names.get(row.value1()) + " feature " + row.value2() + " total_consumptions", row.value3()));
        db.select(COMMAND_LEDGER.TENANT_ID, COMMAND_LEDGER.OUTCOME, DSL.count())
                .from(COMMAND_LEDGER)
                .where(tenants.isEmpty() ? DSL.trueCondition() : COMMAND_LEDGER.TENANT_ID.in(tenants))
                .groupBy(COMMAND_LEDGER.TENANT_ID, COMMAND_LEDGER.OUTCOME)
                .forEach(row -> totals.put(
                        row.value1() + " ledger commands " + row.value2(),
                        row.value3().longValue()));
        return totals;
    }
}
