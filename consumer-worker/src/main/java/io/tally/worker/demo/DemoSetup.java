package io.tally.worker.demo;

import static io.tally.worker.db.Tables.DEVICE;
import static io.tally.worker.db.Tables.LICENSE;
import static io.tally.worker.db.Tables.PRODUCT;

import io.tally.protocol.TenantCredentials;
import io.tally.worker.tenant.TenantDirectory;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.jooq.DSLContext;
import org.springframework.stereotype.Component;

/**
 * Creates the demo tenant and its data when they do not exist, and returns them. Idempotent: on a second start the
 * stored keys and license are returned unchanged, so totals survive restarts.
 */
@Component
public class DemoSetup {

    static final String TENANT_ID = "demo";
    static final String DEMO_PRODUCT = "demo-app";
    static final String LICENSE_KEY = "DEMO-0000-0000-0001";
    static final String HARDWARE_ID = "demo-device-1";
    static final long MAX_CONSUMPTIONS = 20;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final DSLContext dsl;
    private final TenantDirectory tenants;

    public DemoSetup(DSLContext dsl, TenantDirectory tenants) {
        this.dsl = dsl;
        this.tenants = tenants;
    }

    public DemoTenant seed() {
        TenantCredentials credentials = tenants.register(
                "Demo company", new TenantCredentials(TENANT_ID, "demo-" + secret(8), secret(20), secret(20)));
        return dsl.transactionResult(configuration -> {
            DSLContext tx = configuration.dsl();
            Long productId = tx.insertInto(PRODUCT)
                    .set(PRODUCT.TENANT_ID, TENANT_ID)
                    .set(PRODUCT.SHORT_CODE, DEMO_PRODUCT)
                    .set(PRODUCT.NAME, "Demo App")
                    .onConflictOnConstraint(io.tally.worker.db.Keys.PRODUCT_SHORT_CODE_UNIQUE)
                    .doUpdate()
                    .set(PRODUCT.NAME, PRODUCT.NAME)
                    .returning(PRODUCT.ID)
                    .fetchOne(PRODUCT.ID);
            Long licenseId = tx.insertInto(LICENSE)
                    .set(LICENSE.TENANT_ID, TENANT_ID)
                    .set(LICENSE.PRODUCT_ID, productId)
                    .set(LICENSE.LICENSE_KEY, LICENSE_KEY)
                    .set(LICENSE.LICENSE_TYPE, "consumption")
                    .set(LICENSE.MAX_CONSUMPTIONS, MAX_CONSUMPTIONS)
                    .onConflictOnConstraint(io.tally.worker.db.Keys.LICENSE_KEY_UNIQUE)
                    .doUpdate()
                    .set(LICENSE.LICENSE_KEY, LICENSE.LICENSE_KEY)
                    .returning(LICENSE.ID)
                    .fetchOne(LICENSE.ID);
            tx.insertInto(DEVICE)
                    .set(DEVICE.LICENSE_ID, licenseId)
                    .set(DEVICE.HARDWARE_ID, HARDWARE_ID)
                    .onConflictDoNothing()
                    .execute();
            return new DemoTenant(credentials, DEMO_PRODUCT, LICENSE_KEY, HARDWARE_ID, MAX_CONSUMPTIONS);
        });
    }

    private static String secret(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
