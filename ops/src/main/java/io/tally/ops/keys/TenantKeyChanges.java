package io.tally.ops.keys;

import static io.tally.worker.db.Tables.TENANT;
import static io.tally.worker.db.Tables.TENANT_API_KEY;

import io.tally.ops.Connections;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.TenantRecords;
import io.tally.protocol.Topics;
import io.tally.worker.tenant.TenantDirectory;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jooq.DSLContext;

/**
 * Changes to tenants' keys, written to the worker's database (where the worker republishes every key from at start)
 * and published, signed and sealed, to the tenants topic (which every gateway follows). Callers open the producer before changing
 * the database, so that an unreachable Kafka leaves the database as it was. Secrets are generated here and never
 * logged.
 */
public final class TenantKeyChanges {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TenantKeyChanges() {}

    /** A new API key: 32 hex digits, safe in an {@code Authorization} header and a file name. */
    public static String newApiKey() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    /** A new shared or management key: 240 random bits, base64url without padding. */
    public static String newSecret() {
        byte[] secret = new byte[30];
        RANDOM.nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** Whether the tenant exists and is not disabled. */
    public static TenantState state(DSLContext db, String tenantId) {
        var row = db.select(TENANT.DISABLED_AT)
                .from(TENANT)
                .where(TENANT.ID.eq(tenantId))
                .fetchOne();
        if (row == null) {
            return TenantState.MISSING;
        }
        return row.value1() == null ? TenantState.ACTIVE : TenantState.DISABLED;
    }

    /** A tenant's state as the operators' tool sees it. */
    public enum TenantState {
        MISSING,
        ACTIVE,
        DISABLED
    }

    /** Marks {@code keys} revoked in the database (its first key, from the tenant table, included). */
    public static void revoke(DSLContext db, TenantCredentials keys) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        db.insertInto(TENANT_API_KEY)
                .set(TENANT_API_KEY.API_KEY, keys.apiKey())
                .set(TENANT_API_KEY.TENANT_ID, keys.tenantId())
                .set(TENANT_API_KEY.SHARED_KEY, keys.sharedKey())
                .set(TENANT_API_KEY.REVOKED_AT, now)
                .onConflict(TENANT_API_KEY.API_KEY)
                .doUpdate()
                .set(TENANT_API_KEY.REVOKED_AT, now)
                .execute();
    }

    /**
     * A publisher to the tenants topic that has reached Kafka (within seconds, an unreachable one fails here), signing
     * and sealing with the envelope keys of {@code connections}.
     */
    public static TenantsPublisher tenantsProducer(Connections connections) {
        var records = new TenantRecords(connections.envelopeSignature(), new ProtocolCodec());
        var properties = connections.producerProperties();
        properties.put("acks", "all");
        properties.put("enable.idempotence", true);
        var producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
        try {
            producer.partitionsFor(Topics.TENANTS);
            return new TenantsPublisher(producer, records);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    /** Publishes tenants' keys as the database has them; one thread at a time. */
    public record TenantsPublisher(KafkaProducer<String, byte[]> producer, TenantRecords records)
            implements AutoCloseable {

        /** The tenant's keys as the database now has them, each under its API key on the compacted topic. */
        public void publish(DSLContext db, String tenantId) throws InterruptedException, ExecutionException {
            for (TenantCredentials key : TenantDirectory.apiKeys(db, tenantId)) {
                producer.send(records.record(key)).get();
            }
        }

        @Override
        public void close() {
            producer.close();
        }
    }
}
