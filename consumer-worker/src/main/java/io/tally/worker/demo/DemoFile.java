package io.tally.worker.demo;

import io.tally.protocol.TenantCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code demo.json}: the demo tenant's keys, for scripts and the client ({@code tally-client seed-demo} adds the
 * product, license and device it sets up). Readable by its owner only, since it holds the shared and management keys.
 */
public final class DemoFile {

    private DemoFile() {}

    public static void write(Path file, String gatewayUrl, TenantCredentials tenant) throws IOException {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("gateway_url", gatewayUrl);
        values.put("api_key", tenant.apiKey());
        values.put("shared_key", tenant.sharedKey());
        values.put("management_key", tenant.managementKey());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(
                file,
                JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsBytes(values));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
