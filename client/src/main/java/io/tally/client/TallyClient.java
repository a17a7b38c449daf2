package io.tally.client;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code tally-client}: signed License API calls from the command line. */
@Command(
        name = "tally-client",
        mixinStandardHelpOptions = true,
        subcommands = TallyClient.AddConsumption.class,
        description = "Sends signed License API calls to Tally (or any LicenseSpring-compatible server).")
public final class TallyClient {

    public static void main(String[] args) {
        System.exit(new CommandLine(new TallyClient()).execute(args));
    }

    /** Connection and identity options; each falls back to the demo file written by the embedded default. */
    static class Target {
        @Option(names = "--demo", description = "Read url, keys and license from this file (data/demo.json).")
        Path demo;

        @Option(names = "--url", description = "Base URL of the License API server.")
        String url;

        @Option(names = "--api-key")
        String apiKey;

        @Option(
                names = "--shared-key",
                description = "Prefer the TALLY_SHARED_KEY environment variable: arguments show up in process lists.")
        String sharedKey;

        @Option(names = "--product")
        String product;

        @Option(names = "--license-key")
        String licenseKey;

        @Option(names = "--hardware-id")
        String hardwareId;

        JsonNode demoValues() throws java.io.IOException {
            return demo == null ? null : JsonMapper.builder().build().readTree(demo.toFile());
        }

        String pick(String given, JsonNode demoValues, String field, String name) {
            if (given != null) {
                return given;
            }
            if (demoValues != null && demoValues.hasNonNull(field)) {
                return demoValues.get(field).asString();
            }
            throw new CommandLine.ParameterException(
                    new CommandLine(new TallyClient()), "missing " + name + " (or --demo data/demo.json)");
        }
    }

    @Command(name = "add-consumption", description = "POST /api/v4/add_consumption and print the answer.")
    static final class AddConsumption implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--consumptions", defaultValue = "1")
        int consumptions;

        @Override
        public Integer call() throws Exception {
            JsonNode demo = target.demoValues();
            String sharedKey = target.sharedKey != null ? target.sharedKey : System.getenv("TALLY_SHARED_KEY");
            var client = new LicenseApiClient(
                    URI.create(target.pick(target.url, demo, "gateway_url", "--url")),
                    target.pick(target.apiKey, demo, "api_key", "--api-key"),
                    target.pick(sharedKey, demo, "shared_key", "--shared-key"));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("product", target.pick(target.product, demo, "product", "--product"));
            body.put("license_key", target.pick(target.licenseKey, demo, "license_key", "--license-key"));
            body.put("hardware_id", target.pick(target.hardwareId, demo, "hardware_id", "--hardware-id"));
            body.put("consumptions", consumptions);
            var response = client.post("add_consumption", body);
            System.out.println("HTTP " + response.status());
            System.out.println(response.body());
            return response.status() == 200 ? 0 : 1;
        }
    }
}
