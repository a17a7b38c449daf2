package io.tally.bench.cost;

import io.tally.bench.load.OpenLoopLoad;
import io.tally.bench.load.StepResult;
import io.tally.bench.load.Zipf;
import io.tally.embedded.TallyPipeline;
import io.tally.gateway.GatewayApplication;
import io.tally.infra.EmbeddedKafka;
import io.tally.infra.EmbeddedPostgres;
import io.tally.infra.FreePorts;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.Topics;
import io.tally.worker.WorkerApplication;
import io.tally.worker.WorkerDatabase;
import io.tally.worker.tenant.TenantDirectory;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What one request costs each part of Tally, measured with each part in a process of its own: the worker and the
 * gateway as separate JVMs, PostgreSQL as its own server processes, and the broker in this JVM beside the load
 * generator. A steady open-loop load (Zipf over many licenses) runs at a rate this machine sustains; the CPU seconds
 * each process used during it ({@code /proc}), divided by the requests answered, are the per-request figures the
 * capacity model (docs/scaling.md) multiplies out. CPU per request is what adds up across machines; the latency here
 * is that of a machine shared by all of them.
 */
public final class CostProbe {

    static final String PRODUCT = "cost-app";
    static final String HARDWARE_ID = "cost-device";
    static final TenantCredentials TENANT =
            new TenantCredentials("cost-tenant", "cost-api-key", "cost-shared-key-0123456789", "cost-mgmt");

    /** Per-request CPU of each part, and the step it was measured over. */
    public record Result(
            StepResult step,
            double seconds,
            double gatewayMicros,
            double workerMicros,
            double postgresMicros,
            double brokerAndLoadMicros) {}

    private CostProbe() {}

    /** Starts everything under {@code directory}, warms up, then measures {@code rate} requests/s for {@code length}. */
    public static Result run(Path directory, int licenses, double rate, Duration length, PrintStream out)
            throws Exception {
        var processes = new ArrayList<Process>();
        try (var postgres = EmbeddedPostgres.start(directory.resolve("postgres"), FreePorts.next(), "tally");
                var kafka = EmbeddedKafka.start(directory.resolve("kafka"), 0)) {
            var settings = new TallyPipeline.Settings(
                    kafka.bootstrapServers(),
                    postgres.jdbcUrl("tally"),
                    postgres.username(),
                    "",
                    "cost-envelope-key-0123456789abcdef",
                    0,
                    0,
                    6);
            out.println("Cost: starting the worker and the gateway as processes of their own...");
            Process worker =
                    start(WorkerApplication.class, TallyPipeline.workerArguments(settings), directory, "worker");
            processes.add(worker);
            seed(settings, postgres, licenses, kafka.bootstrapServers());
            int gatewayPort = FreePorts.next();
            Process gateway = start(
                    GatewayApplication.class,
                    TallyPipeline.gatewayArguments(settings, gatewayPort),
                    directory,
                    "gateway");
            processes.add(gateway);
            URI gatewayUrl = URI.create("http://127.0.0.1:" + gatewayPort);
            awaitReady(gatewayUrl, Duration.ofMinutes(3));

            byte[][] bodies = bodies(licenses);
            var zipf = new Zipf(licenses, 1.0);
            var target = new OpenLoopLoad.Target("tally", gatewayUrl, TENANT.apiKey(), TENANT.sharedKey());
            try (var load = new OpenLoopLoad(256)) {
                StepResult warm = load.run(
                        target,
                        "warm-up",
                        rate,
                        Duration.ofSeconds(20),
                        bodies,
                        OpenLoopLoad.zipf(zipf),
                        Duration.ofSeconds(20));
                out.printf("  warm-up: %.0f/s, p99 %.1f ms %s%n", warm.throughput(), warm.p99Millis(), warm.outcomes());
                double[] before = cpu(worker, gateway);
                long started = System.nanoTime();
                StepResult step =
                        load.run(target, "cost", rate, length, bodies, OpenLoopLoad.zipf(zipf), Duration.ofSeconds(20));
                double seconds = (System.nanoTime() - started) / 1e9;
                double[] after = cpu(worker, gateway);
                long answered = step.ok();
                var result = new Result(
                        step,
                        seconds,
                        micros(after[0] - before[0], answered),
                        micros(after[1] - before[1], answered),
                        micros(after[2] - before[2], answered),
                        micros(after[3] - before[3], answered));
                out.printf(
                        "  measured: %d answered 200 of %d at %.0f/s offered (%.0f/s), p50 %.1f ms, p99 %.1f ms %s%n",
                        answered,
                        step.sent(),
                        rate,
                        step.throughput(),
                        step.p50Millis(),
                        step.p99Millis(),
                        step.outcomes());
                out.printf(
                        "  CPU per request: gateway %.0f µs, worker %.0f µs, PostgreSQL %.0f µs, broker + load"
                                + " generator %.0f µs%n",
                        result.gatewayMicros(),
                        result.workerMicros(),
                        result.postgresMicros(),
                        result.brokerAndLoadMicros());
                return result;
            }
        } finally {
            for (Process process : processes) {
                process.destroy();
            }
            for (Process process : processes) {
                process.waitFor();
            }
        }
    }

    /** {gateway, worker, PostgreSQL, this JVM} CPU seconds so far. */
    private static double[] cpu(Process worker, Process gateway) {
        double thisJvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e9;
        return new double[] {
            ProcessCpu.seconds(gateway.pid()),
            ProcessCpu.seconds(worker.pid()),
            ProcessCpu.secondsOfAllNamed("postgres"),
            thisJvm
        };
    }

    private static double micros(double cpuSeconds, long requests) {
        return requests == 0 ? Double.NaN : cpuSeconds * 1e6 / requests;
    }

    private static Process start(Class<?> main, String[] arguments, Path directory, String name) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        String classPath = System.getProperty("java.class.path");
        command.add("-cp");
        command.add(classPath);
        if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)) {
            // Inside ./tally-bench's executable jar: Spring Boot's launcher finds the nested jars for another main.
            command.add("-Dloader.main=" + main.getName());
            command.add("org.springframework.boot.loader.launch.PropertiesLauncher");
        } else {
            command.add(main.getName());
        }
        command.addAll(List.of(arguments));
        command.add("--logging.level.root=WARN");
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve(name + ".log").toFile())
                .start();
    }

    /** The tenant, its product and licenses in the worker's database (migrated by then), and its keys on the topic. */
    private static void seed(TallyPipeline.Settings settings, EmbeddedPostgres postgres, int licenses, String bootstrap)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            try (var connection = DriverManager.getConnection(settings.jdbcUrl(), postgres.username(), "");
                    var statement = connection.createStatement();
                    var tables = statement.executeQuery(
                            "select count(*) from pg_tables where tablename = 'tenant_api_key'")) {
                tables.next();
                if (tables.getLong(1) == 1) {
                    break;
                }
            } catch (java.sql.SQLException notYet) {
                // the worker has not created the database's tables yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the worker did not migrate the database");
            }
            Thread.sleep(500);
        }
        var dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setURL(settings.jdbcUrl());
        dataSource.setUser(postgres.username());
        var dsl = WorkerDatabase.dsl(dataSource);
        TenantDirectory.store(dsl, "Cost", TENANT);
        dsl.execute("insert into product (tenant_id, short_code, name) values ('" + TENANT.tenantId() + "', '" + PRODUCT
                + "', 'Cost')");
        dsl.execute("insert into license (tenant_id, product_id, license_key, max_consumptions) select '"
                + TENANT.tenantId() + "', p.id, 'C-' || lpad(i::text, 6, '0'), 1000000000000 from product p,"
                + " generate_series(0, " + (licenses - 1) + ") i");
        dsl.execute("insert into device (license_id, hardware_id) select id, '" + HARDWARE_ID + "' from license");
        var codec = new ProtocolCodec();
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", bootstrap),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (TenantCredentials keys : TenantDirectory.apiKeys(dsl, TENANT.tenantId())) {
                producer.send(new ProducerRecord<>(Topics.TENANTS, keys.apiKey(), codec.encodeTenant(keys)))
                        .get();
            }
        }
    }

    private static void awaitReady(URI gateway, Duration timeout) throws Exception {
        var http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                var response = http.send(
                        HttpRequest.newBuilder(gateway.resolve("/actuator/health/readiness"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the gateway did not become ready");
    }

    private static byte[][] bodies(int licenses) {
        byte[][] bodies = new byte[licenses][];
        for (int i = 0; i < licenses; i++) {
            bodies[i] = ("{\"product\":\"" + PRODUCT + "\",\"license_key\":\"C-%06d\",\"hardware_id\":\"" + HARDWARE_ID
                            + "\",\"consumptions\":1}")
                    .formatted(i)
                    .getBytes(StandardCharsets.UTF_8);
        }
        return bodies;
    }
}
