package io.tally.worker.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code demo.json}: the demo tenant's keys and license, for scripts and the client. Readable by its owner only, since
 * it holds the shared and management keys.
 */
public final class DemoFile {

    private DemoFile() {}

    public static void write(Path file, String gatewayUrl, DemoTenant demo) throws IOException {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("gateway_url", gatewayUrl);
        values.put("api_key", demo.credentials().apiKey());
        values.put("shared_key", demo.credentials().sharedKey());
        values.put("management_key", demo.credentials().managementKey());
        values.put("product", demo.product());
        values.put("license_key", demo.licenseKey());
        values.put("hardware_id", demo.hardwareId());
        values.put("max_consumptions", demo.maxConsumptions());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(
                file,
                JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsBytes(values));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
