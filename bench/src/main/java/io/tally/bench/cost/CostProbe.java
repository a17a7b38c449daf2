package io.tally.bench.cost;

import io.tally.bench.load.OpenLoopLoad;
import io.tally.bench.load.StepResult;
import io.tally.bench.load.WarmUp;
import io.tally.bench.load.Zipf;
import io.tally.embedded.TallyPipeline;
import io.tally.gateway.GatewayApplication;
import io.tally.infra.EmbeddedPostgres;
import io.tally.infra.FreePorts;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What one call costs each process of Tally and of the naive service, measured with every part in a process of its
 * own: the broker, the worker, the gateway and the naive service as JVMs of their own ({@link ChildJvm}), Tally's and
 * the naive service's PostgreSQL as two servers, and only the load generator in this JVM. After a warm-up that lasts
 * until the children's JIT compilers went quiet, Tally is measured idle (no traffic at all), then under a steady
 * open-loop load of signed {@code add_consumption} calls (Zipf over many licenses) at each rate; then the naive service
 * at the same rates. The CPU each process used during a step ({@code /proc}), divided by the calls answered 200, is its
 * cost per call; idle, its share of one core.
 *
 * <p>Not thread-safe; runs once per JVM.
 */
public final class CostProbe {

    static final String PRODUCT = "cost-app";
    static final String HARDWARE_ID = "cost-device";
    static final long LIMIT = 1_000_000_000_000L;
    static final TenantCredentials TENANT =
            new TenantCredentials("cost-tenant", "cost-api-key", "cost-shared-key-0123456789", "cost-mgmt");

    private static final double WARM_UP_QUIET_COMPILING = 0.05;
    private static final Duration DRAIN = Duration.ofSeconds(20);
    private static final Duration STARTUP = Duration.ofMinutes(3);

    /**
     * How the probe runs: the rates measured, the length of each step and of the idle measurement, and the warm-up of
     * each system (chunks of {@code warmUpChunk} until its compilers went quiet or {@code warmUpLongest} passed).
     */
    public record Plan(
            int licenses,
            List<Double> rates,
            Duration step,
            Duration idle,
            Duration warmUpChunk,
            Duration warmUpLongest) {}

    /** One measured step: the load's outcome and each process's CPU per call answered 200, in microseconds. */
    public record Step(String system, StepResult load, Map<String, Double> microsPerCall) {

        double totalMicros() {
            return microsPerCall.entrySet().stream()
                    .filter(entry -> !entry.getKey().equals(LOAD_GENERATOR))
                    .mapToDouble(Map.Entry::getValue)
                    .sum();
        }
    }

    /** The idle shares of one core per process, and every step in the order measured. */
    public record Result(Plan plan, Duration idleMeasured, Map<String, Double> idleShareOfCore, List<Step> steps) {}

    static final String GATEWAY = "gateway";
    static final String WORKER = "worker";
    static final String BROKER = "broker";
    static final String POSTGRES = "PostgreSQL";
    static final String NAIVE = "naive service";
    static final String LOAD_GENERATOR = "load generator";

    private CostProbe() {}

    /** The key of the {@code index}th license, the same in Tally and in the naive service. */
    static String licenseKey(int index) {
        return "C-%06d".formatted(index);
    }

    /** Starts everything under {@code directory}, measures as {@code plan} says, and ends everything it started. */
    public static Result run(Path directory, Plan plan, PrintStream out) throws Exception {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            var tallyPostgres = EmbeddedPostgres.start(directory.resolve("postgres-tally"), FreePorts.next(), "tally");
            started.add(tallyPostgres);
            var naivePostgres = EmbeddedPostgres.start(directory.resolve("postgres-naive"), FreePorts.next(), "naive");
            started.add(naivePostgres);
            out.println("Cost: starting the broker, the worker, the gateway and the naive service as processes...");
            var broker = started(
                    started,
                    ChildJvm.start(
                            BROKER,
                            BrokerMain.class,
                            List.of(
                                    directory.resolve("kafka").toString(),
                                    directory.resolve("broker.ready").toString()),
                            directory));
            String bootstrap = broker.awaitLine(directory.resolve("broker.ready"), STARTUP);
            var settings = new TallyPipeline.Settings(
                    bootstrap,
                    tallyPostgres.jdbcUrl("tally"),
                    tallyPostgres.username(),
                    "",
                    "cost-envelope-key-0123456789abcdef",
                    0,
                    0,
                    6);
            var worker = started(
                    started,
                    ChildJvm.start(
                            WORKER,
                            WorkerApplication.class,
                            quiet(TallyPipeline.workerArguments(settings)),
                            directory));
            TenantCredentials tenant = seed(settings, tallyPostgres, plan.licenses(), bootstrap);
            int gatewayPort = FreePorts.next();
            var gateway = started(
                    started,
                    ChildJvm.start(
                            GATEWAY,
                            GatewayApplication.class,
                            quiet(TallyPipeline.gatewayArguments(settings, gatewayPort)),
                            directory));
            URI gatewayUrl = URI.create("http://127.0.0.1:" + gatewayPort);
            awaitReady(gatewayUrl);
            var naive = started(started, startNaive(directory, naivePostgres, plan.licenses(), tenant));
            URI naiveUrl = URI.create(naive.awaitLine(directory.resolve("naive.ready"), STARTUP));

            var bodies = bodies(plan.licenses());
            var zipf = new Zipf(plan.licenses(), 1.0);
            double warmRate =
                    plan.rates().stream().mapToDouble(Double::doubleValue).max().orElse(500);
            var steps = new ArrayList<Step>();
            try (var load = new OpenLoopLoad(256)) {
                var tally = new OpenLoopLoad.Target("tally", gatewayUrl, TENANT.apiKey(), TENANT.sharedKey());
                Map<String, DoubleSupplier> tallyCpu = new LinkedHashMap<>();
                tallyCpu.put(GATEWAY, gateway::cpuSeconds);
                tallyCpu.put(WORKER, worker::cpuSeconds);
                tallyCpu.put(BROKER, broker::cpuSeconds);
                tallyCpu.put(POSTGRES, () -> ProcessCpu.secondsOfTree(tallyPostgres.pid()));
                tallyCpu.put(LOAD_GENERATOR, CostProbe::thisJvmSeconds);
                warmUp(load, tally, bodies, zipf, warmRate, plan, List.of(gateway, worker, broker), out);

                Thread.sleep(5_000); // the warm-up's last answers and batches settle
                out.printf("  idle: %d s without traffic...%n", plan.idle().toSeconds());
                double[] before = sample(tallyCpu);
                long idleStarted = System.nanoTime();
                Thread.sleep(plan.idle().toMillis());
                Duration idleMeasured = Duration.ofNanos(System.nanoTime() - idleStarted);
                double[] after = sample(tallyCpu);
                Map<String, Double> idle = new LinkedHashMap<>();
                int i = 0;
                for (String process : tallyCpu.keySet()) {
                    idle.put(process, (after[i] - before[i]) / (idleMeasured.toNanos() / 1e9));
                    i++;
                }
                out.printf("  idle: %s%n", idle);

                for (double rate : plan.rates()) {
                    steps.add(step(load, tally, rate, plan.step(), bodies, zipf, tallyCpu, out));
                }
                var baseline = new OpenLoopLoad.Target("naive", naiveUrl, TENANT.apiKey(), TENANT.sharedKey());
                Map<String, DoubleSupplier> naiveCpu = new LinkedHashMap<>();
                naiveCpu.put(NAIVE, naive::cpuSeconds);
                naiveCpu.put(POSTGRES, () -> ProcessCpu.secondsOfTree(naivePostgres.pid()));
                naiveCpu.put(LOAD_GENERATOR, CostProbe::thisJvmSeconds);
                warmUp(load, baseline, bodies, zipf, warmRate, plan, List.of(naive), out);
                for (double rate : plan.rates()) {
                    steps.add(step(load, baseline, rate, plan.step(), bodies, zipf, naiveCpu, out));
                }
                return new Result(plan, idleMeasured, idle, steps);
            }
        } finally {
            for (AutoCloseable part : started.reversed()) {
                try {
                    part.close();
                } catch (Exception e) {
                    out.println("  could not stop a part cleanly: " + e);
                }
            }
        }
    }

    private static Step step(
            OpenLoopLoad load,
            OpenLoopLoad.Target target,
            double rate,
            Duration length,
            byte[][] bodies,
            Zipf zipf,
            Map<String, DoubleSupplier> cpu,
            PrintStream out)
            throws InterruptedException {
        double[] before = sample(cpu);
        StepResult result = load.run(target, "zipf", rate, length, bodies, OpenLoopLoad.zipf(zipf), DRAIN);
        double[] after = sample(cpu);
        Map<String, Double> micros = new LinkedHashMap<>();
        int i = 0;
        for (String process : cpu.keySet()) {
            micros.put(process, result.ok() == 0 ? Double.NaN : (after[i] - before[i]) * 1e6 / result.ok());
            i++;
        }
        var step = new Step(target.system(), result, micros);
        out.printf(
                "  %s at %.0f/s: %d of %d answered 200, p50 %.1f ms, p99 %.1f ms %s; CPU per call (µs) %s%n",
                target.system(),
                rate,
                result.ok(),
                result.sent(),
                result.p50Millis(),
                result.p99Millis(),
                result.outcomes(),
                micros);
        return step;
    }

    private static void warmUp(
            OpenLoopLoad load,
            OpenLoopLoad.Target target,
            byte[][] bodies,
            Zipf zipf,
            double rate,
            Plan plan,
            List<ChildJvm> compiling,
            PrintStream out) {
        var warmUp = new WarmUp(() -> Math.round(
                compiling.stream().mapToDouble(ChildJvm::compilerSeconds).sum() * 1000));
        var result = warmUp.run(
                () -> {
                    try {
                        return load.run(
                                target, "warm-up", rate, plan.warmUpChunk(), bodies, OpenLoopLoad.zipf(zipf), DRAIN);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                },
                plan.warmUpChunk(),
                plan.warmUpLongest(),
                WARM_UP_QUIET_COMPILING);
        out.printf(
                "  warm-up %s at %.0f/s: %d s, compiling %.1f%% of a core at the end, p99 %.1f ms%n",
                target.system(),
                rate,
                result.length().toSeconds(),
                result.lastCompilingShare() * 100,
                result.lastChunk().p99Millis());
    }

    private static double[] sample(Map<String, DoubleSupplier> cpu) {
        return cpu.values().stream().mapToDouble(DoubleSupplier::getAsDouble).toArray();
    }

    private static double thisJvmSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e9;
    }

    private static <T extends AutoCloseable> T started(List<AutoCloseable> started, T part) {
        started.add(part);
        return part;
    }

    private static List<String> quiet(String[] arguments) {
        var all = new ArrayList<>(List.of(arguments));
        all.add("--logging.level.root=WARN");
        return all;
    }

    private static ChildJvm startNaive(
            Path directory, EmbeddedPostgres postgres, int licenses, TenantCredentials tenant) throws Exception {
        Path sharedKey = secretFile(directory.resolve("naive-shared-key"), tenant.sharedKey());
        Path responseKey = secretFile(directory.resolve("naive-response-key.pem"), tenant.responsePrivateKey());
        return ChildJvm.start(
                NAIVE.replace(' ', '-'),
                NaiveMain.class,
                List.of(
                        postgres.jdbcUrl("naive"),
                        postgres.username(),
                        Integer.toString(licenses),
                        tenant.apiKey(),
                        sharedKey.toString(),
                        responseKey.toString(),
                        directory.resolve("naive.ready").toString()),
                directory);
    }

    private static Path secretFile(Path file, String secret) throws java.io.IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, secret, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * The tenant, its product and licenses in the worker's database (migrated by then), and its keys on the topic;
     * returns the tenant with its response signing key.
     */
    private static TenantCredentials seed(
            TallyPipeline.Settings settings, EmbeddedPostgres postgres, int licenses, String bootstrap)
            throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
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
        TenantCredentials stored = TenantDirectory.store(dsl, "Cost", TENANT);
        dsl.execute("insert into product (tenant_id, short_code, name) values ('" + TENANT.tenantId() + "', '" + PRODUCT
                + "', 'Cost')");
        dsl.execute("insert into license (tenant_id, product_id, license_key, max_consumptions) select '"
                + TENANT.tenantId() + "', p.id, 'C-' || lpad(i::text, 6, '0'), " + LIMIT + " from product p,"
                + " generate_series(0, " + (licenses - 1) + ") i");
        dsl.execute("insert into device (license_id, hardware_id) select id, '" + HARDWARE_ID + "' from license");
        var records = new io.tally.protocol.TenantRecords(
                new io.tally.protocol.EnvelopeSignature("k1", Map.of("k1", settings.envelopeKey())),
                new ProtocolCodec());
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", bootstrap),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (TenantCredentials keys : TenantDirectory.apiKeys(dsl, TENANT.tenantId())) {
                producer.send(records.record(keys)).get();
            }
        }
        return stored;
    }

    private static void awaitReady(URI gateway) throws Exception {
        var http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + STARTUP.toNanos();
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
            bodies[i] = ("{\"product\":\"" + PRODUCT + "\",\"license_key\":\"" + licenseKey(i) + "\",\"hardware_id\":\""
                            + HARDWARE_ID + "\",\"consumptions\":1}")
                    .getBytes(StandardCharsets.UTF_8);
        }
        return bodies;
    }
}
