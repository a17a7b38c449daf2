package io.tally.ops.keys;

import static io.tally.worker.db.Tables.TENANT_API_KEY;

import io.tally.ops.Connections;
import io.tally.ops.ExitCodes;
import io.tally.ops.Output;
import io.tally.protocol.TenantCredentials;
import io.tally.worker.WorkerDatabase;
import io.tally.worker.tenant.TenantDirectory;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jooq.DSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Rotates a tenant's API keys without downtime: {@code add} gives the tenant a further key (both work), clients move to
 * it, then {@code revoke} ends the old one (calls signed with it get {@code revoked_api_key}). Each change is written
 * to the worker's database, which is where the worker republishes every key from at start, and published at once to
 * the tenants topic ({@code tally.tenants.v2}), which every gateway follows. Secrets are printed once, by {@code add}, and never logged.
 */
@Command(
        name = "api-keys",
        mixinStandardHelpOptions = true,
        description = {
            "List, add or revoke a tenant's API keys (several may be valid at once, for a rotation).",
            "  list --tenant ID            the tenant's API keys and whether each is revoked (no secrets)",
            "  add --tenant ID             a further API key and its shared key, printed once",
            "  revoke --api-key KEY        calls signed with it are refused with revoked_api_key"
        },
        exitCodeOnInvalidInput = ExitCodes.CANNOT_RUN,
        exitCodeOnExecutionException = ExitCodes.CANNOT_RUN,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.DONE_HELP, ExitCodes.CANNOT_RUN_HELP})
public final class ApiKeysCommand implements Callable<Integer> {

    @Mixin
    Connections connections;

    @picocli.CommandLine.Parameters(index = "0", description = "list, add or revoke")
    String action;

    @Option(names = "--tenant", description = "The tenant's id (list, add).")
    String tenantId;

    @Option(names = "--api-key", description = "The API key to revoke.")
    String apiKey;

    @Option(names = "--json", description = "Print the result as one JSON value instead of lines of text.")
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
            switch (action) {
                case "list" -> {
                    if (knownTenant(db, err) == TenantKeyChanges.TenantState.MISSING) {
                        return ExitCodes.CANNOT_RUN;
                    }
                    List<Map<String, Object>> keys = TenantDirectory.apiKeys(db, tenantId).stream()
                            .map(key -> Map.<String, Object>of(
                                    "api_key", key.apiKey(), "status", key.revoked() ? "revoked" : "valid"))
                            .toList();
                    Output.rows(out, json, keys, key -> key.get("api_key") + " " + key.get("status"));
                    return ExitCodes.DONE;
                }
                case "add" -> {
                    TenantKeyChanges.TenantState state = knownTenant(db, err);
                    if (state == TenantKeyChanges.TenantState.MISSING) {
                        return ExitCodes.CANNOT_RUN;
                    }
                    if (state == TenantKeyChanges.TenantState.DISABLED) {
                        err.printf("Tenant %s is disabled%n", tenantId);
                        return ExitCodes.CANNOT_RUN;
                    }
                    // Kafka reached before the change, so an unreachable one leaves the database as it was.
                    try (var producer = TenantKeyChanges.tenantsProducer(connections)) {
                        String newApiKey = TenantKeyChanges.newApiKey();
                        String sharedKey = TenantKeyChanges.newSecret();
                        db.insertInto(TENANT_API_KEY)
                                .set(TENANT_API_KEY.API_KEY, newApiKey)
                                .set(TENANT_API_KEY.TENANT_ID, tenantId)
                                .set(TENANT_API_KEY.SHARED_KEY, sharedKey)
                                .execute();
                        producer.publish(db, tenantId);
                        Map<String, String> added = new LinkedHashMap<>();
                        added.put("api_key", newApiKey);
                        added.put("shared_key", sharedKey);
                        Output.values(out, json, added);
                        return ExitCodes.DONE;
                    }
                }
                case "revoke" -> {
                    TenantCredentials keys = apiKeyNamed(db);
                    if (keys == null) {
                        err.printf("No API key %s%n", apiKey);
                        return ExitCodes.CANNOT_RUN;
                    }
                    try (var producer = TenantKeyChanges.tenantsProducer(connections)) {
                        TenantKeyChanges.revoke(db, keys);
                        producer.publish(db, keys.tenantId());
                        Map<String, String> revoked = new LinkedHashMap<>();
                        revoked.put("api_key", keys.apiKey());
                        revoked.put("status", "revoked");
                        Output.values(out, json, revoked);
                        return ExitCodes.DONE;
                    }
                }
                default -> throw new IllegalStateException("unchecked action " + action);
            }
        }
    }

    /** Bad arguments are reported before the database is reached, as picocli reports its own. */
    private void checkArguments() {
        switch (action) {
            case "list", "add" -> {
                if (tenantId == null) {
                    throw new ParameterException(spec.commandLine(), "api-keys " + action + " needs --tenant");
                }
            }
            case "revoke" -> {
                if (apiKey == null) {
                    throw new ParameterException(spec.commandLine(), "api-keys revoke needs --api-key");
                }
            }
            default ->
                throw new ParameterException(
                        spec.commandLine(), "Unknown action '" + action + "': expected list, add or revoke");
        }
    }

    /** The tenant's state; says so on {@code err} when there is no such tenant. */
    private TenantKeyChanges.TenantState knownTenant(DSLContext db, PrintWriter err) {
        TenantKeyChanges.TenantState state = TenantKeyChanges.state(db, tenantId);
        if (state == TenantKeyChanges.TenantState.MISSING) {
            err.printf("No tenant %s%n", tenantId);
        }
        return state;
    }

    private TenantCredentials apiKeyNamed(DSLContext db) {
        return TenantDirectory.apiKeys(db, null).stream()
                .filter(keys -> keys.apiKey().equals(apiKey))
                .findFirst()
                .orElse(null);
    }
}
