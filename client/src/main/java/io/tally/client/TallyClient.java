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
        versionProvider = io.tally.client.TallyVersion.class,
        subcommands = {
            TallyClient.AddConsumption.class,
            TallyClient.AddFeatureConsumption.class,
            TallyClient.Activate.class,
            TallyClient.Deactivate.class,
            TallyClient.CheckLicense.class,
            TallyClient.CheckFeature.class,
            TallyClient.FloatingRelease.class,
            TallyClient.FloatingBorrow.class,
            TallyClient.FeatureRelease.class,
            TallyClient.FeatureBorrow.class,
            TallyClient.SeedDemo.class
        },
        description = "Sends signed License API calls to Tally (or any LicenseSpring-compatible server).")
public final class TallyClient {

    public static void main(String[] args) {
        System.exit(new CommandLine(new TallyClient()).execute(args));
    }

    /** Connection and identity options; each falls back to the demo file written by the embedded default. */
    static class Target {
        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = {"-i", "--include"},
                description = "Print the status line and the headers before the body on standard output, as curl -i"
                        + " does (else the status goes to standard error).")
        boolean include;

        @Option(names = "--demo", description = "Read url, keys and license from this file (data/demo.json).")
        Path demo;

        @Option(names = "--url", description = "Base URL of the License API server (else gateway_url of --demo).")
        String url;

        @Option(names = "--api-key", description = "The tenant's API key (else api_key of --demo).")
        String apiKey;

        @Option(
                names = "--shared-key",
                description = "Prefer the TALLY_SHARED_KEY environment variable: arguments show up in process lists.")
        String sharedKey;

        @Option(names = "--product", description = "The product's short code (else product of --demo).")
        String product;

        @Option(names = "--license-key", description = "The license key (else license_key of --demo).")
        String licenseKey;

        @Option(names = "--hardware-id", description = "The device's hardware id (else hardware_id of --demo).")
        String hardwareId;

        private JsonNode demoValues;

        JsonNode demoValues() throws java.io.IOException {
            if (demoValues == null && demo != null) {
                demoValues = JsonMapper.builder().build().readTree(demo.toFile());
            }
            return demoValues;
        }

        String pick(String given, String field, String name) throws java.io.IOException {
            if (given != null) {
                return given;
            }
            JsonNode values = demoValues();
            if (values != null && values.hasNonNull(field)) {
                return values.get(field).asString();
            }
            throw new CommandLine.ParameterException(
                    new CommandLine(new TallyClient()), "missing " + name + " (or --demo data/demo.json)");
        }

        LicenseApiClient client() throws java.io.IOException {
            String shared = sharedKey != null ? sharedKey : System.getenv("TALLY_SHARED_KEY");
            return new LicenseApiClient(
                    URI.create(pick(url, "gateway_url", "--url")),
                    pick(apiKey, "api_key", "--api-key"),
                    pick(shared, "shared_key", "--shared-key"));
        }

        Map<String, Object> identity() throws java.io.IOException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("product", pick(product, "product", "--product"));
            body.put("license_key", pick(licenseKey, "license_key", "--license-key"));
            body.put("hardware_id", pick(hardwareId, "hardware_id", "--hardware-id"));
            return body;
        }
    }

    /**
     * Prints the answer's body alone on standard output, so that it can be piped to {@code jq}, and {@code HTTP
     * <status>} on standard error; with {@code --include}, the status line and the headers before the body on standard
     * output. Exits 0 on HTTP 200, else 1.
     */
    static int print(Target target, LicenseApiClient.Response response) {
        var out = target.spec.commandLine().getOut();
        var err = target.spec.commandLine().getErr();
        if (target.include) {
            out.println("HTTP " + response.status());
            response.headers().forEach((name, values) -> {
                if (!name.startsWith(":")) {
                    values.forEach(value -> out.println(name + ": " + value));
                }
            });
            out.println();
        } else {
            err.println("HTTP " + response.status());
        }
        out.println(response.body());
        out.flush();
        err.flush();
        return response.status() == 200 ? 0 : 1;
    }

    @Command(name = "add-consumption", description = "POST /api/v4/add_consumption and print the answer.")
    static final class AddConsumption implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--consumptions", defaultValue = "1", description = "Units to add (default: ${DEFAULT-VALUE}).")
        int consumptions;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = target.identity();
            body.put("consumptions", consumptions);
            return print(target, target.client().post("add_consumption", body));
        }
    }

    @Command(name = "add-feature-consumption", description = "POST /api/v4/add_feature_consumption.")
    static final class AddFeatureConsumption implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--feature", description = "Feature code (default: the demo's).")
        String feature;

        @Option(names = "--consumptions", defaultValue = "1", description = "Units to add (default: ${DEFAULT-VALUE}).")
        int consumptions;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = target.identity();
            body.put("feature", target.pick(feature, "feature", "--feature"));
            body.put("consumptions", consumptions);
            return print(target, target.client().post("add_feature_consumption", body));
        }
    }

    @Command(name = "activate", description = "POST /api/v4/activate_license.")
    static final class Activate implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Override
        public Integer call() throws Exception {
            return print(target, target.client().post("activate_license", target.identity()));
        }
    }

    @Command(name = "deactivate", description = "POST /api/v4/deactivate_license.")
    static final class Deactivate implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--consumptions", description = "Buffered consumptions to add before deactivating.")
        Integer consumptions;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = target.identity();
            if (consumptions != null) {
                body.put("consumptions", consumptions);
            }
            return print(target, target.client().post("deactivate_license", body));
        }
    }

    @Command(name = "check-license", description = "GET /api/v4/check_license.")
    static final class CheckLicense implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Override
        public Integer call() throws Exception {
            return print(target, target.client().get("check_license", target.identity()));
        }
    }

    @Command(name = "check-feature", description = "GET /api/v4/check_license_feature.")
    static final class CheckFeature implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--feature", description = "Feature code (default: the demo's).")
        String feature;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> query = target.identity();
            query.put("feature", target.pick(feature, "feature", "--feature"));
            return print(target, target.client().get("check_license_feature", query));
        }
    }

    @Command(
            name = "floating-release",
            description = "POST /api/v4/floating/release: give back the device's seat on a floating license.")
    static final class FloatingRelease implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Override
        public Integer call() throws Exception {
            return print(target, target.client().post("floating/release", target.identity()));
        }
    }

    @Command(
            name = "floating-borrow",
            description = "POST /api/v4/floating/borrow: keep the device's seat for offline use until a time.")
    static final class FloatingBorrow implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Option(
                names = "--until",
                description = "UTC time the borrow ends (e.g. 2026-12-24T18:00:00Z); default: the longest the license"
                        + " allows (borrowed_until null).")
        String until;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = target.identity();
            body.put("borrowed_until", until);
            return print(target, target.client().post("floating/borrow", body));
        }
    }

    @Command(
            name = "feature-release",
            description = "POST /api/v4/floating/feature_release: give back the device's seat on a floating feature.")
    static final class FeatureRelease implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--feature", description = "Feature code (default: the demo's).")
        String feature;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = target.identity();
            body.put("feature", target.pick(feature, "feature", "--feature"));
            return print(target, target.client().post("floating/feature_release", body));
        }
    }

    @Command(
            name = "feature-borrow",
            description = "POST /api/v4/floating/feature_borrow: keep the device's seat on a floating feature until a"
                    + " time.")
    static final class FeatureBorrow implements Callable<Integer> {
        @CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--feature", description = "Feature code (default: the demo's).")
        String feature;

        @Option(
                names = "--until",
                description =
                        "UTC time the borrow ends; default: the longest the license allows (borrowed_until" + " null).")
        String until;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = target.identity();
            body.put("feature", target.pick(feature, "feature", "--feature"));
            body.put("borrowed_until", until);
            return print(target, target.client().post("floating/feature_borrow", body));
        }
    }

    @Command(
            name = "seed-demo",
            description = "Set up the demo product, feature, license and device through the Management and License "
                    + "APIs, and add them to the demo file.")
    static final class SeedDemo implements Callable<Integer> {
        @Option(names = "--demo", required = true, description = "The demo file with the tenant's keys.")
        Path demo;

        @Override
        public Integer call() throws Exception {
            JsonNode values = JsonMapper.builder().build().readTree(demo.toFile());
            var seeded = new DemoSeeder(
                            URI.create(values.get("gateway_url").asString()),
                            values.get("api_key").asString(),
                            values.get("shared_key").asString(),
                            values.get("management_key").asString())
                    .seed();
            DemoSeeder.complete(demo, seeded);
            System.out.println("Demo license " + DemoSeeder.LICENSE_KEY + " (id " + seeded.licenseId()
                    + ") is ready; its details are in " + demo);
            return 0;
        }
    }
}
