package io.tally.ops.tenants;

import static io.tally.worker.db.Tables.TENANT;

import io.tally.ops.Connections;
import io.tally.ops.ExitCodes;
import io.tally.ops.Output;
import io.tally.ops.keys.TenantKeyChanges;
import io.tally.ops.keys.TenantKeyChanges.TenantState;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.TenantRecords;
import io.tally.worker.WorkerDatabase;
import io.tally.worker.tenant.TenantDirectory;
import java.io.PrintWriter;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jooq.DSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Tenants as a lifecycle: a software vendor's company with its own keys. Every change is written to the worker's
 * database and published to the tenants topic together, as {@code api-keys} does; new secrets (API key, shared
 * key, management key) are printed once, by the action that made them, and never logged or listed.
 */
@Command(
        name = "tenants",
        mixinStandardHelpOptions = true,
        description = {
            "Create, list or disable tenants, or rotate a tenant's management key.",
            "  create --name NAME [--id ID]                 a tenant with its API key, shared key, management key and"
                    + " response-signing key pair; the secrets are printed once",
            "  list                                         every tenant, whether it is disabled, how many valid API keys"
                    + " it has (no secrets)",
            "  disable --tenant ID                          revokes every API key of the tenant: its License API and"
                    + " Management API calls are refused from then on",
            "  rotate-management-key --tenant ID            a new management key, printed once; the old one is refused"
        },
        exitCodeOnInvalidInput = ExitCodes.CANNOT_RUN,
        exitCodeOnExecutionException = ExitCodes.CANNOT_RUN,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.DONE_HELP, ExitCodes.CANNOT_RUN_HELP})
public final class TenantsCommand implements Callable<Integer> {

    @Mixin
    Connections connections;

    @Parameters(index = "0", description = "create, list, disable or rotate-management-key")
    String action;

    @Option(names = "--name", description = "The tenant's display name (create).")
    String name;

    @Option(
            names = "--id",
            description =
                    "The new tenant's id (create): lower-case letters, digits and dashes, at most 64. Default: the"
                            + " name's letters and digits with a random suffix.")
    String id;

    @Option(names = "--tenant", description = "The tenant's id (disable, rotate-management-key).")
    String tenantId;

    @Option(names = "--json", description = "Print the result as one JSON value instead of name=value lines.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        checkArguments();
        try (var dataSource = connections.dataSource()) {
            DSLContext db = WorkerDatabase.dsl(dataSource);
            return switch (action) {
                case "create" -> create(db, out, err);
                case "list" -> list(db, out);
                case "disable" -> disable(db, out, err);
                case "rotate-management-key" -> rotateManagementKey(db, out, err);
                default -> throw new IllegalStateException("unchecked action " + action);
            };
        }
    }

    private int create(DSLContext db, PrintWriter out, PrintWriter err) throws Exception {
        String newId = id != null ? id : TenantIds.fromName(name);
        if (TenantKeyChanges.state(db, newId) != TenantState.MISSING) {
            err.printf("Tenant %s exists%n", newId);
            return ExitCodes.CANNOT_RUN;
        }
        // Kafka reached before the change, so an unreachable one leaves the database as it was.
        try (var producer = TenantKeyChanges.tenantsProducer(connections)) {
            var keys = new TenantCredentials(
                    newId, TenantKeyChanges.newApiKey(), TenantKeyChanges.newSecret(), TenantKeyChanges.newSecret());
            TenantCredentials stored = TenantDirectory.store(db, name, keys);
            if (!stored.apiKey().equals(keys.apiKey())) {
                err.printf("Tenant %s exists%n", newId); // created meanwhile by someone else
                return ExitCodes.CANNOT_RUN;
            }
            producer.publish(db, newId);
            Map<String, String> created = new LinkedHashMap<>();
            created.put("tenant_id", newId);
            created.put("name", name);
            created.put("api_key", stored.apiKey());
            created.put("shared_key", stored.sharedKey());
            // Shown this once: Tally keeps only its digest.
            created.put("management_key", keys.managementKey());
            Output.values(out, json, created);
            return ExitCodes.DONE;
        }
    }

    private int list(DSLContext db, PrintWriter out) {
        Map<String, Long> validKeys = new LinkedHashMap<>();
        for (TenantCredentials keys : TenantDirectory.apiKeys(db, null)) {
            validKeys.merge(keys.tenantId(), keys.revoked() ? 0L : 1L, Long::sum);
        }
        List<Map<String, Object>> tenants = db.select(TENANT.ID, TENANT.NAME, TENANT.CREATED_AT, TENANT.DISABLED_AT)
                .from(TENANT)
                .orderBy(TENANT.CREATED_AT, TENANT.ID)
                .fetch(row -> {
                    Map<String, Object> tenant = new LinkedHashMap<>();
                    tenant.put("tenant_id", row.value1());
                    tenant.put("name", row.value2());
                    tenant.put("status", row.value4() == null ? "active" : "disabled");
                    tenant.put("valid_api_keys", validKeys.getOrDefault(row.value1(), 0L));
                    tenant.put("created_at", row.value3().toInstant().toString());
                    return tenant;
                });
        Output.rows(
                out,
                json,
                tenants,
                tenant -> "%s %s %d valid API key(s) created %s %s"
                        .formatted(
                                tenant.get("tenant_id"),
                                tenant.get("status"),
                                (Long) tenant.get("valid_api_keys"),
                                tenant.get("created_at"),
                                Output.quoted(tenant.get("name"))));
        return ExitCodes.DONE;
    }

    private int disable(DSLContext db, PrintWriter out, PrintWriter err) throws Exception {
        TenantState state = TenantKeyChanges.state(db, tenantId);
        if (state == TenantState.MISSING) {
            err.printf("No tenant %s%n", tenantId);
            return ExitCodes.CANNOT_RUN;
        }
        try (var producer = TenantKeyChanges.tenantsProducer(connections)) {
            int revoked = db.transactionResult(configuration -> {
                DSLContext tx = configuration.dsl();
                int count = 0;
                for (TenantCredentials keys : TenantDirectory.apiKeys(tx, tenantId)) {
                    if (!keys.revoked()) {
                        TenantKeyChanges.revoke(tx, keys);
                        count++;
                    }
                }
                tx.update(TENANT)
                        .set(TENANT.DISABLED_AT, OffsetDateTime.now(ZoneOffset.UTC))
                        .where(TENANT.ID.eq(tenantId).and(TENANT.DISABLED_AT.isNull()))
                        .execute();
                return count;
            });
            // Published even when already disabled: a topic that missed the change gets it now.
            producer.publish(db, tenantId);
            Map<String, String> disabled = new LinkedHashMap<>();
            disabled.put("tenant_id", tenantId);
            disabled.put("status", "disabled");
            disabled.put("api_keys_revoked", Integer.toString(revoked));
            Output.values(out, json, disabled);
            return ExitCodes.DONE;
        }
    }

    private int rotateManagementKey(DSLContext db, PrintWriter out, PrintWriter err) throws Exception {
        TenantState state = TenantKeyChanges.state(db, tenantId);
        if (state != TenantState.ACTIVE) {
            err.printf(state == TenantState.MISSING ? "No tenant %s%n" : "Tenant %s is disabled%n", tenantId);
            return ExitCodes.CANNOT_RUN;
        }
        try (var producer = TenantKeyChanges.tenantsProducer(connections)) {
            String managementKey = TenantKeyChanges.newSecret();
            db.update(TENANT)
                    .set(TENANT.MANAGEMENT_KEY_SHA256, TenantRecords.managementKeyDigest(managementKey))
                    .where(TENANT.ID.eq(tenantId))
                    .execute();
            producer.publish(db, tenantId);
            Map<String, String> rotated = new LinkedHashMap<>();
            rotated.put("tenant_id", tenantId);
            rotated.put("management_key", managementKey);
            Output.values(out, json, rotated);
            return ExitCodes.DONE;
        }
    }

    /** Bad arguments are reported before the database is reached, as picocli reports its own. */
    private void checkArguments() {
        switch (action) {
            case "create" -> {
                if (name == null || name.isBlank()) {
                    throw new ParameterException(spec.commandLine(), "tenants create needs --name");
                }
                if (name.length() > 255) {
                    throw new ParameterException(spec.commandLine(), "--name is longer than 255 characters");
                }
                if (id != null && !TenantIds.VALID.matcher(id).matches()) {
                    throw new ParameterException(
                            spec.commandLine(),
                            "--id must be lower-case letters, digits and dashes, at most 64, starting with a letter or"
                                    + " digit");
                }
            }
            case "list" -> {}
            case "disable", "rotate-management-key" -> {
                if (tenantId == null) {
                    throw new ParameterException(spec.commandLine(), "tenants " + action + " needs --tenant");
                }
            }
            default ->
                throw new ParameterException(
                        spec.commandLine(),
                        "Unknown action '" + action + "': expected create, list, disable or rotate-management-key");
        }
    }
}
