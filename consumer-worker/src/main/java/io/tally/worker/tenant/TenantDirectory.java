package io.tally.worker.tenant;

import static io.tally.worker.db.Tables.TENANT;
import static io.tally.worker.db.Tables.TENANT_API_KEY;

import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.TenantRecords;
import io.tally.protocol.Topics;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps the tenants topic equal to the tenant table. Publishing is idempotent (the topic is compacted by API key), so
 * every worker republishes all tenants at start-up; that also heals a topic that lost records.
 */
@Component
public class TenantDirectory {

    private static final Logger LOGGER = LoggerFactory.getLogger(TenantDirectory.class);

    private final DSLContext dsl;
    private final TenantRecords records;
    private final KafkaTemplate<String, byte[]> kafka;

    public TenantDirectory(
            DSLContext dsl, ProtocolCodec codec, EnvelopeSignature signature, KafkaTemplate<String, byte[]> kafka) {
        this.dsl = dsl;
        this.records = new TenantRecords(signature, codec);
        this.kafka = kafka;
    }

    /**
     * Stores the tenant unless one with its id exists, giving it an RSA key pair for signing responses when it has
     * none, then publishes what is stored. Returns the stored keys (the management key only as its digest).
     */
    public TenantCredentials register(String name, TenantCredentials credentials) {
        TenantCredentials stored = store(dsl, name, credentials);
        publish(List.of(stored)).join();
        return stored;
    }

    /**
     * Stores the tenant in {@code database} unless one with its id exists, without publishing it; the operators'
     * rebuild uses it to recreate tenants read from the tenants topic. Returns the stored keys.
     */
    public static TenantCredentials store(DSLContext database, String name, TenantCredentials credentials) {
        String[] pair = credentials.responsePrivateKey() != null
                ? new String[] {credentials.responsePrivateKey(), credentials.responsePublicKey()}
                : ResponseKeys.generate();
        database.insertInto(TENANT)
                .set(TENANT.ID, credentials.tenantId())
                .set(TENANT.NAME, name)
                .set(TENANT.API_KEY, credentials.apiKey())
                .set(TENANT.SHARED_KEY, credentials.sharedKey())
                .set(TENANT.MANAGEMENT_KEY_SHA256, credentials.managementKeySha256())
                .set(TENANT.RESPONSE_PRIVATE_KEY, pair[0])
                .set(TENANT.RESPONSE_PUBLIC_KEY, pair[1])
                .onConflict(TENANT.ID)
                .doNothing()
                .execute();
        return find(database, credentials.tenantId()).orElseThrow();
    }

    public Optional<TenantCredentials> find(String tenantId) {
        return find(dsl, tenantId);
    }

    private static Optional<TenantCredentials> find(DSLContext database, String tenantId) {
        return database.selectFrom(TENANT)
                .where(TENANT.ID.eq(tenantId))
                .fetchOptional()
                .map(TenantDirectory::credentials);
    }

    @EventListener(ApplicationReadyEvent.class)
    void publishAllOnStart() {
        // With the response-signing keys: the topic is compacted, so this record replaces the one register wrote.
        List<TenantCredentials> all = apiKeys(dsl, null);
        publish(all).join();
        LOGGER.info("Published {} API keys of tenants to {}", all.size(), Topics.TENANTS);
    }

    /**
     * One record per API key of {@code tenantId} (of every tenant when {@code null}), revoked ones included: the
     * tenant's first key from the tenant table and its further keys, each with its revocation, from
     * {@code tenant_api_key}. What the tenants topic must hold.
     */
    public static List<TenantCredentials> apiKeys(DSLContext database, String tenantId) {
        var tenants = database.selectFrom(TENANT)
                .where(tenantId == null ? DSL.trueCondition() : TENANT.ID.eq(tenantId))
                .fetch(TenantDirectory::credentials);
        Map<String, TenantCredentials> byApiKey = new LinkedHashMap<>();
        Map<String, TenantCredentials> byTenant = new HashMap<>();
        for (TenantCredentials tenant : tenants) {
            byApiKey.put(tenant.apiKey(), tenant);
            byTenant.put(tenant.tenantId(), tenant);
        }
        database.selectFrom(TENANT_API_KEY)
                .where(tenantId == null ? DSL.trueCondition() : TENANT_API_KEY.TENANT_ID.eq(tenantId))
                .orderBy(TENANT_API_KEY.CREATED_AT)
                .forEach(row -> {
                    TenantCredentials tenant = byTenant.get(row.getTenantId());
                    if (tenant != null) {
                        byApiKey.put(
                                row.getApiKey(),
                                tenant.withApiKey(row.getApiKey(), row.getSharedKey(), row.getRevokedAt() != null));
                    }
                });
        return List.copyOf(byApiKey.values());
    }

    private static TenantCredentials credentials(io.tally.worker.db.tables.records.TenantRecord row) {
        return TenantCredentials.stored(
                row.getId(),
                row.getApiKey(),
                row.getSharedKey(),
                row.getManagementKeySha256(),
                row.getResponsePrivateKey(),
                row.getResponsePublicKey(),
                false);
    }

    /** Outside any transaction: keys are facts to publish, not part of a batch. */
    private CompletableFuture<Void> publish(List<TenantCredentials> tenants) {
        return CompletableFuture.allOf(tenants.stream()
                .map(tenant -> kafka.send(records.record(tenant)))
                .toArray(CompletableFuture[]::new));
    }
}
