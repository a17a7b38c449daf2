package io.tally.worker.demo;

import io.tally.protocol.TenantCredentials;
import io.tally.worker.tenant.TenantDirectory;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.springframework.stereotype.Component;

/**
 * Registers the demo tenant and its keys when it does not exist, and returns them. Idempotent: on a second start the
 * stored keys are returned unchanged. Its products, licenses and devices are set up through the public APIs
 * ({@code tally-client seed-demo}), like any tenant's.
 */
@Component
public class DemoSetup {

    static final String TENANT_ID = "demo";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final TenantDirectory tenants;

    public DemoSetup(TenantDirectory tenants) {
        this.tenants = tenants;
    }

    /**
     * The demo tenant's keys: as issued, management key included, when registered now; as stored (the management key
     * only as its digest) when it existed.
     */
    public TenantCredentials registerDemoTenant() {
        var issued = new TenantCredentials(TENANT_ID, "demo-" + secret(8), secret(20), secret(20));
        TenantCredentials stored = tenants.register("Demo company", issued);
        if (!stored.managementKeySha256().equals(issued.managementKeySha256())) {
            return stored;
        }
        return new TenantCredentials(
                stored.tenantId(),
                stored.apiKey(),
                stored.sharedKey(),
                issued.managementKey(),
                stored.managementKeySha256(),
                stored.responsePrivateKey(),
                stored.responsePublicKey(),
                stored.revoked());
    }

    private static String secret(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
