package io.tally.embedded;

import io.tally.client.DemoSeeder;
import io.tally.infra.EmbeddedKafka;
import io.tally.infra.EmbeddedPostgres;
import io.tally.protocol.TenantCredentials;
import io.tally.worker.demo.DemoFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar tally-embedded-exec.jar}: a real Kafka broker and a real PostgreSQL with their data under
 * {@code ./data}, the worker and the gateway, and a demo tenant, all in one process. Stops cleanly on Ctrl-C.
 */
@Command(
        name = "tally-embedded",
        mixinStandardHelpOptions = true,
        versionProvider = io.tally.client.TallyVersion.class,
        description = "Runs the whole Tally pipeline on embedded Kafka and PostgreSQL, with a demo tenant.")
public final class TallyEmbedded implements Callable<Integer> {

    @Option(names = "--data-dir", defaultValue = "data", description = "Where Kafka, PostgreSQL and demo.json live.")
    Path dataDirectory;

    @Option(names = "--gateway-port", defaultValue = "8080", description = "HTTP port of the License API.")
    int gatewayPort;

    @Option(names = "--worker-port", defaultValue = "8081", description = "HTTP port of the worker's health.")
    int workerPort;

    @Option(names = "--kafka-port", defaultValue = "19092", description = "Port of the embedded Kafka broker.")
    int kafkaPort;

    @Option(names = "--postgres-port", defaultValue = "15432", description = "Port of the embedded PostgreSQL.")
    int postgresPort;

    @Option(
            names = "--infra-only",
            description = "Start only Kafka and PostgreSQL, no worker or gateway: for operators' tasks that need the"
                    + " workers stopped, such as ./tally-ops replay.")
    boolean infraOnly;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TallyEmbedded()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path data = dataDirectory.toAbsolutePath();
        Files.createDirectories(data);
        EmbeddedPostgres postgres = EmbeddedPostgres.start(data.resolve("postgres"), postgresPort, "tally");
        EmbeddedKafka kafka = null;
        if (infraOnly) {
            try {
                kafka = EmbeddedKafka.start(data.resolve("kafka"), kafkaPort);
            } catch (RuntimeException e) {
                postgres.close();
                throw e;
            }
            CountDownLatch stopped = closeOnShutdown(postgres, kafka);
            System.out.printf(
                    "%nKafka at %s and PostgreSQL at %s are running, without worker or gateway. Stop with Ctrl-C.%n%n",
                    kafka.bootstrapServers(), postgres.jdbcUrl("tally"));
            stopped.await();
            return 0;
        }
        TallyPipeline pipeline = null;
        TenantCredentials demo;
        try {
            kafka = EmbeddedKafka.start(data.resolve("kafka"), kafkaPort);
            var settings = new TallyPipeline.Settings(
                    kafka.bootstrapServers(),
                    postgres.jdbcUrl("tally"),
                    postgres.username(),
                    "",
                    envelopeKey(data),
                    gatewayPort,
                    workerPort,
                    6);
            pipeline = TallyPipeline.startWorker(settings);
            demo = pipeline.registerDemoTenant();
            pipeline.startGateway();
            pipeline.awaitGatewayReady(Duration.ofMinutes(2));
        } catch (Exception e) {
            // Leave nothing running behind a failed start (a busy port, say).
            if (pipeline != null) {
                pipeline.close();
            }
            postgres.close();
            if (kafka != null) {
                kafka.close();
            }
            throw e;
        }
        TallyPipeline started = pipeline;
        CountDownLatch stopped = closeOnShutdown(started, postgres, kafka);
        // The demo's product, feature, license and device go through the public APIs, like any tenant's data.
        Path demoFile = data.resolve("demo.json");
        String managementKey = DemoFile.write(demoFile, started.gatewayUrl(), demo);
        DemoSeeder.complete(
                demoFile,
                new DemoSeeder(
                                java.net.URI.create(started.gatewayUrl()),
                                demo.apiKey(),
                                demo.sharedKey(),
                                managementKey)
                        .seed());
        printWelcome(started.gatewayUrl(), demo, demoFile);
        stopped.await();
        return 0;
    }

    /**
     * Closes {@code parts} in order when the JVM is asked to stop, each even if one before it failed; the latch opens
     * when all are closed. Order matters: the pipeline before PostgreSQL before Kafka, whose own fault handling may
     * halt the JVM while it shuts down.
     */
    private static CountDownLatch closeOnShutdown(AutoCloseable... parts) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable part : parts) {
                try {
                    part.close();
                } catch (Exception e) {
                    System.err.println("Stopping " + part.getClass().getSimpleName() + " failed: " + e);
                }
            }
            stopped.countDown();
        }));
        return stopped;
    }

    /** The key gateway and worker sign commands with; made once and kept, owner-readable only. */
    private static String envelopeKey(Path data) throws java.io.IOException {
        Path file = data.resolve("envelope.key");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        io.tally.protocol.SecretFiles.createIfAbsent(
                file, HexFormat.of().formatHex(key).getBytes(StandardCharsets.UTF_8));
        return Files.readString(file, StandardCharsets.UTF_8).trim();
    }

    private static void printWelcome(String gatewayUrl, TenantCredentials demo, Path demoFile) {
        System.out.printf(
                """

                Tally is running: License API at %s (health: %s/actuator/health)
                  Demo tenant: api key %s; its shared and management keys and public key are in %s
                  Product %s, license %s (max_consumptions %d), feature %s (max_consumption %d),
                  activated device %s

                  Try it (the client signs calls with the demo keys):
                    ./tally-client add-consumption --demo %s --consumptions 5
                    ./tally-client add-feature-consumption --demo %s --consumptions 2
                    ./tally-client check-license --demo %s

                  Stop with Ctrl-C; totals are kept in %s.
                %n""",
                gatewayUrl,
                gatewayUrl,
                demo.apiKey(),
                demoFile,
                DemoSeeder.PRODUCT,
                DemoSeeder.LICENSE_KEY,
                DemoSeeder.MAX_CONSUMPTIONS,
                DemoSeeder.FEATURE,
                DemoSeeder.FEATURE_MAX_CONSUMPTION,
                DemoSeeder.HARDWARE_ID,
                demoFile,
                demoFile,
                demoFile,
                demoFile.getParent());
    }
}
