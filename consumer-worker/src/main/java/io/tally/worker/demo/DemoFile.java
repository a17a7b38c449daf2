package io.tally.worker.demo;

import io.tally.protocol.SecretFiles;
import io.tally.protocol.TenantCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code demo.json}: the demo tenant's keys, for scripts and the client ({@code tally-client seed-demo} adds the
 * product, license and device it sets up). Readable by its owner only, since it holds the shared and management keys.
 */
public final class DemoFile {

    private DemoFile() {}

    /**
     * Writes the file, owner-only from its creation. The management key is known only when the tenant was registered
     * now (Tally keeps its digest alone); for a tenant registered before, the key the file already holds is kept.
     * Returns the management key written, {@code null} when neither knows it (then {@code tally-ops tenants
     * rotate-management-key demo} issues a new one).
     */
    public static String write(Path file, String gatewayUrl, TenantCredentials tenant) throws IOException {
        JsonMapper mapper = JsonMapper.builder().build();
        String managementKey = tenant.managementKey();
        if (managementKey == null && Files.isRegularFile(file)) {
            var kept = mapper.readTree(file.toFile()).get("management_key");
            managementKey = kept == null || !kept.isString() ? null : kept.asString();
        }
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("gateway_url", gatewayUrl);
        values.put("api_key", tenant.apiKey());
        values.put("shared_key", tenant.sharedKey());
        values.put("management_key", managementKey);
        SecretFiles.write(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(values));
        return managementKey;
    }
}
