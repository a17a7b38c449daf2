package io.tally.ops.keys;

import static io.tally.worker.db.Tables.TENANT;
import static io.tally.worker.db.Tables.TENANT_API_KEY;

import io.tally.ops.Connections;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.Topics;
import io.tally.worker.WorkerDatabase;
import io.tally.worker.tenant.TenantDirectory;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jooq.DSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Rotates a tenant's API keys without downtime: {@code add} gives the tenant a further key (both work), clients move to
 * it, then {@code revoke} ends the old one (calls signed with it get {@code revoked_api_key}). Each change is written
 * to the worker's database, which is where the worker republishes every key from at start, and published at once to
 * {@code tally.tenants.v1}, which every gateway follows. Secrets are printed once, by {@code add}, and never logged.
 */
@Command(
        name = "api-keys",
        mixinStandardHelpOptions = true,
        description = {
            "List, add or revoke a tenant's API keys (several may be valid at once, for a rotation).",
            "  list --tenant ID            the tenant's API keys and whether each is revoked (no secrets)",
            "  add --tenant ID             a further API key and its shared key, printed once",
            "  revoke --api-key KEY        calls signed with it are refused with revoked_api_key"
        })
public final class ApiKeysCommand implements Callable<Integer> {

    @Mixin
    Connections connections;

    @picocli.CommandLine.Parameters(index = "0", description = "list, add or revoke")
    String action;

    @Option(names = "--tenant", description = "The tenant's id (list, add).")
    String tenantId;

    @Option(names = "--api-key", description = "The API key to revoke.")
    String apiKey;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (var dataSource = connections.dataSource()) {
            DSLContext db = WorkerDatabase.dsl(dataSource);
            switch (action) {
                case "list" -> {
                    if (!tenantExists(db, err)) {
                        return 2;
                    }
                    for (TenantCredentials keys : TenantDirectory.apiKeys(db, tenantId)) {
                        out.printf("%s %s%n", keys.apiKey(), keys.revoked() ? "revoked" : "valid");
                    }
                    return 0;
                }
                case "add" -> {
                    if (!tenantExists(db, err)) {
                        return 2;
                    }
                    var random = new SecureRandom();
                    byte[] id = new byte[16];
                    byte[] secret = new byte[30];
                    random.nextBytes(id);
                    random.nextBytes(secret);
                    String newApiKey = HexFormat.of().formatHex(id);
                    String sharedKey = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
                    db.insertInto(TENANT_API_KEY)
                            .set(TENANT_API_KEY.API_KEY, newApiKey)
                            .set(TENANT_API_KEY.TENANT_ID, tenantId)
                            .set(TENANT_API_KEY.SHARED_KEY, sharedKey)
                            .execute();
                    publish(db, tenantId);
                    out.printf("api_key=%s%nshared_key=%s%n", newApiKey, sharedKey);
                    return 0;
                }
                case "revoke" -> {
                    TenantCredentials keys = apiKeyNamed(db);
                    if (keys == null) {
                        err.printf("No API key %s%n", apiKey);
                        return 2;
                    }
                    db.insertInto(TENANT_API_KEY)
                            .set(TENANT_API_KEY.API_KEY, keys.apiKey())
                            .set(TENANT_API_KEY.TENANT_ID, keys.tenantId())
                            .set(TENANT_API_KEY.SHARED_KEY, keys.sharedKey())
                            .set(TENANT_API_KEY.REVOKED_AT, OffsetDateTime.now(ZoneOffset.UTC))
                            .onConflict(TENANT_API_KEY.API_KEY)
                            .doUpdate()
                            .set(TENANT_API_KEY.REVOKED_AT, OffsetDateTime.now(ZoneOffset.UTC))
                            .execute();
                    publish(db, keys.tenantId());
                    out.printf("%s revoked%n", keys.apiKey());
                    return 0;
                }
                default -> {
                    err.printf("Unknown action %s: list, add or revoke%n", action);
                    return 2;
                }
            }
        }
    }

    private boolean tenantExists(DSLContext db, PrintWriter err) {
        if (tenantId == null || !db.fetchExists(TENANT, TENANT.ID.eq(tenantId))) {
            err.printf("No tenant %s (give --tenant)%n", tenantId);
            return false;
        }
        return true;
    }

    private TenantCredentials apiKeyNamed(DSLContext db) {
        if (apiKey == null) {
            return null;
        }
        return TenantDirectory.apiKeys(db, null).stream()
                .filter(keys -> keys.apiKey().equals(apiKey))
                .findFirst()
                .orElse(null);
    }

    /** The tenant's keys as the database now has them, each under its API key on the compacted topic. */
    private void publish(DSLContext db, String tenant) throws Exception {
        List<TenantCredentials> keys = TenantDirectory.apiKeys(db, tenant);
        var codec = new ProtocolCodec();
        var properties = connections.kafkaProperties();
        properties.put("acks", "all");
        properties.put("enable.idempotence", true);
        try (var producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer())) {
            for (TenantCredentials key : keys) {
                producer.send(new ProducerRecord<>(Topics.TENANTS, key.apiKey(), codec.encodeTenant(key)))
                        .get();
            }
        }
    }
}
