package io.tally.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.tally.bench.load.OpenLoopLoad;
import io.tally.bench.load.StepResult;
import io.tally.bench.load.Zipf;
import io.tally.bench.replay.ReplayBenchmark;
import io.tally.bench.report.BenchResults;
import io.tally.bench.report.LatencyChart;
import io.tally.bench.report.MarkdownReport;
import io.tally.bench.report.ProfileSummary;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./tally-bench}: Tally against the naive design on this machine, end to end over HTTP, then the worker
 * replaying the commands topic; writes {@code docs/benchmarks.md}, its chart and {@code results.json}.
 */
@Command(
        name = "tally-bench",
        mixinStandardHelpOptions = true,
        versionProvider = io.tally.client.TallyVersion.class,
        description = "Benchmark Tally against one-transaction-per-request, open loop, and the worker's replay rate.")
public final class TallyBench implements Callable<Integer> {

    static final double[] LADDER = {250, 500, 1_000, 2_000, 3_000, 4_000, 6_000, 8_000, 11_000, 15_000, 20_000, 27_000};

    @Option(names = "--work-dir", defaultValue = "target/bench-run", description = "Kafka and PostgreSQL data.")
    Path workDirectory;

    @Option(names = "--report", defaultValue = "docs/benchmarks.md", description = "The Markdown report.")
    Path report;

    @Option(
            names = "--findings",
            defaultValue = "docs/benchmarks/findings.md",
            description = "Analysis to include in the report, when the file exists.")
    Path findings;

    @Option(names = "--step-seconds", defaultValue = "4", description = "Duration of each load step.")
    int stepSeconds;

    @Option(names = "--max-rate", defaultValue = "27000", description = "Highest offered rate of the ladder.")
    double maxRate;

    @Option(names = "--zipf-licenses", defaultValue = "10000")
    int zipfLicenses;

    @Option(names = "--burst", defaultValue = "100000", description = "Requests of the burst, sent within 1 s.")
    int burst;

    @Option(names = "--connections", defaultValue = "512", description = "Client connections at most (many clients).")
    int connections;

    @Option(
            names = "--burst-connections",
            defaultValue = "4000",
            description = "Client connections during the burst: many clients at once.")
    int burstConnections;

    @Option(names = "--replay-commands", defaultValue = "2000000", description = "Commands of the replay benchmark.")
    long replayCommands;

    @Option(names = "--systems", split = ",", defaultValue = "naive,tally", description = "Default: ${DEFAULT-VALUE}.")
    List<String> systems;

    @Option(
            names = "--profiles",
            split = ",",
            defaultValue = "hot,zipf,floating",
            description =
                    "Load profiles: hot (one license), zipf (10,000 licenses), floating (5,000 devices checking in"
                            + " on one license of 1,000 seats). Default: ${DEFAULT-VALUE}.")
    List<String> profiles;

    @Option(
            names = "--render-only",
            description =
                    "Write the report again from the last results.json (after editing the findings); runs nothing.")
    boolean renderOnly;

    @Option(
            names = "--replay-only",
            description =
                    "Run only the replay benchmark and print its rate (for working on the worker); writes no report.")
    boolean replayOnly;

    @Option(
            names = "--cost",
            description =
                    "Measure only the CPU one call costs each process (gateway, worker, broker, PostgreSQL, and the"
                            + " naive service with its PostgreSQL), each in a process of its own: idle, then at each"
                            + " --cost-rates; writes docs/benchmarks/cost.md (docs/scaling.md uses it).")
    boolean costOnly;

    @Option(
            names = "--cost-rates",
            split = ",",
            defaultValue = "500,1000",
            description = "Requests/s of the cost steps, Zipf licenses. Default: ${DEFAULT-VALUE}.")
    List<Double> costRates;

    @Option(names = "--cost-seconds", defaultValue = "30", description = "Length of each cost step.")
    int costSeconds;

    @Option(
            names = "--idle-seconds",
            defaultValue = "60",
            description = "Length of the cost measurement without traffic, after warm-up.")
    int idleSeconds;

    @Option(
            names = "--cost-report",
            defaultValue = "docs/benchmarks/cost.md",
            description = "The cost measurement's Markdown page.")
    Path costReport;

    @Option(
            names = "--headline",
            description = "Run only the headline latency rows (one hot license at 500/s, Zipf licenses at 1,000/s) for"
                    + " every system, --headline-runs times of --headline-seconds each, and write their median and"
                    + " spread to docs/benchmarks/headline.md.")
    boolean headlineOnly;

    @Option(
            names = "--warm-up-seconds",
            defaultValue = "15",
            description = "Warm-up of each system at 500/s, on one hot license and then on the Zipf licenses, in steps"
                    + " of this length (see --warm-up-max-seconds).")
    int warmUpSeconds;

    @Option(
            names = "--warm-up-max-seconds",
            defaultValue = "150",
            description = "Longest warm-up of each system and load: warm-up goes on, --warm-up-seconds at a time, until"
                    + " the JIT compiler used under 5% of a core during the last of them.")
    int warmUpMaxSeconds;

    /** The compiler's share of one core below which a warm-up counts as done. */
    private static final double WARM_UP_QUIET_COMPILING = 0.05;

    @Option(
            names = "--headline-rows",
            split = ",",
            defaultValue = "hot:500,zipf:1000",
            description = "Headline rows as profile:rate (hot or zipf, requests/s). Default: ${DEFAULT-VALUE}.")
    List<String> headlineRows;

    @Option(names = "--headline-runs", defaultValue = "3", description = "Runs of each headline row.")
    int headlineRuns;

    @Option(names = "--headline-seconds", defaultValue = "30", description = "Length of each headline step.")
    int headlineSeconds;

    /** CPU profiles of the phases that miss their targets, as Markdown, in run order. */
    private final StringBuilder cpuProfiles = new StringBuilder();

    public static void main(String[] args) {
        // The jar holds two logback.xml (the analytics example's and the embedded default's): without a listener,
        // Logback prints its whole configuration status to standard output to say so, before the tool's own output.
        System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        System.exit(new CommandLine(new TallyBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (renderOnly) {
            Path results = report.toAbsolutePath().getParent().resolve("benchmarks/results.json");
            write(JsonMapper.builder().build().readValue(Files.readString(results), BenchResults.class));
            return 0;
        }
        if (costOnly) {
            return measureCost();
        }
        String startedAt = Instant.now().toString();
        String command = "./tally-bench"
                + (System.getProperty("tally.bench.args", "").isBlank()
                        ? ""
                        : " " + System.getProperty("tally.bench.args"));
        System.out.println("Starting Kafka, PostgreSQL, Tally and the naive baseline...");
        try (var environment = BenchEnvironment.start(workDirectory.toAbsolutePath(), zipfLicenses);
                var load = new OpenLoopLoad(connections)) {
            String[] licenses = environment.licenses;
            byte[][] bodies = bodies(licenses);
            var tally = new OpenLoopLoad.Target(
                    "tally",
                    URI.create(environment.tally.gatewayUrl()),
                    BenchEnvironment.TENANT.apiKey(),
                    BenchEnvironment.TENANT.sharedKey());
            var naive = new OpenLoopLoad.Target(
                    "naive",
                    URI.create(environment.naive.url()),
                    BenchEnvironment.TENANT.apiKey(),
                    BenchEnvironment.TENANT.sharedKey());
            if (replayOnly) {
                ReplayBenchmark.Result replay = replay(environment, licenses);
                System.out.println(cpuProfiles);
                return replay.ledgerRows() == replay.commands() && replay.totalIncrease() == replay.commands() ? 0 : 1;
            }
            IntSupplier hot = () -> 0;
            Zipf zipf = new Zipf(licenses.length - 1, 1.0);
            IntSupplier zipfLicense = () -> 1 + OpenLoopLoad.zipf(zipf).getAsInt();

            List<OpenLoopLoad.Target> targets = List.of(naive, tally).stream()
                    .filter(target -> systems.contains(target.system()))
                    .toList();
            // Both loads warm each system up (JIT, connection pools, the worker's license cache over the Zipf
            // licenses), so that the first measured step is not its warm-up.
            var warmUp = new io.tally.bench.load.WarmUp();
            for (var target : targets) {
                for (IntSupplier licensesOfWarmUp : List.of(hot, zipfLicense)) {
                    var warm = warmUp.run(
                            () -> {
                                try {
                                    return load.run(
                                            target,
                                            "warm-up",
                                            500,
                                            Duration.ofSeconds(warmUpSeconds),
                                            bodies,
                                            licensesOfWarmUp,
                                            drain());
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    throw new IllegalStateException("interrupted while warming up", e);
                                }
                            },
                            Duration.ofSeconds(warmUpSeconds),
                            Duration.ofSeconds(warmUpMaxSeconds),
                            WARM_UP_QUIET_COMPILING);
                    System.out.printf(
                            "  warm-up %s (%d s, %d chunks; compiling %.0f%% of the last)%n",
                            describe(warm.lastChunk()),
                            warm.length().toSeconds(),
                            warm.chunks(),
                            warm.lastCompilingShare() * 100);
                }
            }
            if (headlineOnly) {
                return headline(
                        load,
                        targets,
                        bodies,
                        Map.of("hot", hot, "zipf", zipfLicense),
                        command,
                        startedAt,
                        environment.tally.workerUrl());
            }
            List<StepResult> steps = new ArrayList<>();
            for (String profile : profiles) {
                for (var target : targets) {
                    if (profile.equals("floating")) {
                        steps.addAll(ladder(load, target, profile, FLOATING_CHECK_IN, FLOATING_SERVED));
                    } else {
                        IntSupplier licensesOf = profile.equals("hot") ? hot : zipfLicense;
                        steps.addAll(ladder(
                                load,
                                target,
                                profile,
                                () -> new OpenLoopLoad.Call(
                                        org.eclipse.jetty.http.HttpMethod.POST,
                                        "/api/v4/add_consumption",
                                        bodies[licensesOf.getAsInt()]),
                                "200"::equals));
                    }
                }
            }

            long[] before = environment.tallyTotals();
            var burstLoad = new OpenLoopLoad(burstConnections);
            StepResult burstResult;
            try (burstLoad) {
                burstResult = burstLoad.run(
                        tally, "burst", burst, Duration.ofSeconds(1), bodies, zipfLicense, Duration.ofSeconds(60));
            }
            System.out.println("  burst " + describe(burstResult));
            long accepted = burstResult.ok() + burstResult.outcomes().getOrDefault("503 request_pending", 0L);
            long[] after = awaitLedgerSettled(environment);
            long appliedDuringBurst = after[2] - before[2];
            long acceptedLost = Math.max(0, accepted - appliedDuringBurst);

            ReplayBenchmark.Result replay = replay(environment, licenses);

            long[] tallyTotals = environment.tallyTotals();
            long[] naiveTotals = environment.naive.totals();
            Map<String, Boolean> checks = new LinkedHashMap<>();
            checks.put(
                    "Tally: sum of license totals equals the LicenseConsumed ledger rows (every consumption is 1)",
                    tallyTotals[0] == tallyTotals[2]);
            checks.put("Naive: sum of license totals equals the ledger's sum", naiveTotals[0] == naiveTotals[2]);
            checks.put("Replay: one ledger row per replayed command", replay.ledgerRows() == replay.commands());
            checks.put("Replay: totals grew by the replayed commands", replay.totalIncrease() == replay.commands());
            checks.put("Burst: every accepted request is in the ledger", acceptedLost == 0);
            checks.put(
                    "Analytics example: units per hour and product read from tally.events.v1 equal the ledger's",
                    analyticsMatchLedger(environment));
            if (profiles.contains("floating")) {
                long tallySeats = environment.tallySeatsHeld();
                long naiveSeats = environment.naive.seatsHeld();
                System.out.printf("  floating seats held: Tally %d, naive %d%n", tallySeats, naiveSeats);
                checks.put(
                        "Floating: neither system holds more seats than floating_users (" + BenchEnvironment.FLOAT_SEATS
                                + ")",
                        tallySeats <= BenchEnvironment.FLOAT_SEATS && naiveSeats <= BenchEnvironment.FLOAT_SEATS);
            }

            var results =
                    new BenchResults(command, startedAt, machine(), steps, burstResult, acceptedLost, replay, checks);
            write(results);
            checks.forEach((name, held) -> System.out.println((held ? "  held: " : "  FAILED: ") + name));
            return checks.containsValue(false) ? 1 : 0;
        }
    }

    /** The headline rows, printed and written to {@code benchmarks/headline.md} beside the report. */
    private int headline(
            OpenLoopLoad load,
            List<OpenLoopLoad.Target> targets,
            byte[][] bodies,
            Map<String, IntSupplier> licenses,
            String command,
            String startedAt,
            String workerUrl)
            throws Exception {
        Duration step = Duration.ofSeconds(headlineSeconds);
        System.out.printf("Headline rows: %d runs of %d s each%n", headlineRuns, headlineSeconds);
        var stagesBefore = io.tally.bench.headline.WorkerStages.read(workerUrl);
        var measured = io.tally.bench.headline.HeadlineRows.run(
                load,
                targets,
                headlineRows.stream()
                        .map(io.tally.bench.headline.HeadlineRows.Row::parse)
                        .toList(),
                headlineRuns,
                step,
                bodies,
                licenses,
                System.out);
        String table = io.tally.bench.headline.HeadlineRows.markdown(measured, headlineRuns, step)
                + "\nTally's worker over all the rows above, from its own meters:\n\n"
                + io.tally.bench.headline.WorkerStages.markdown(
                        stagesBefore, io.tally.bench.headline.WorkerStages.read(workerUrl));
        System.out.println(table);
        Path file = report.toAbsolutePath().getParent().resolve("benchmarks/headline.md");
        Files.createDirectories(file.getParent());
        Files.writeString(
                file,
                "# Headline latency\n\n`" + command + "`, started " + startedAt + ", on " + machine() + ".\n\n"
                        + table);
        return 0;
    }

    private ReplayBenchmark.Result replay(BenchEnvironment environment, String[] licenses) throws Exception {
        System.out.printf("Replay: producing %,d commands...%n", replayCommands);
        // Only the worker applying the commands is profiled, not the benchmark producing them.
        var replayRecording = new java.util.concurrent.atomic.AtomicReference<jdk.jfr.Recording>();
        ReplayBenchmark.Result replay = ReplayBenchmark.run(
                environment.tally,
                environment.settings.bootstrapServers(),
                environment.settings.envelopeKey(),
                BenchEnvironment.TENANT.tenantId(),
                BenchEnvironment.PRODUCT,
                BenchEnvironment.HARDWARE_ID,
                licenses,
                replayCommands,
                () -> {
                    try {
                        replayRecording.set(ProfileSummary.start());
                    } catch (Exception e) {
                        throw new IllegalStateException("JFR could not start", e);
                    }
                });
        cpuProfiles.append(ProfileSummary.stop(
                replayRecording.get(),
                workDirectory.toAbsolutePath().resolve("replay.jfr"),
                "Replay: the worker applying the commands (worker, broker)"));
        System.out.printf(
                "  replay: %,.0f commands/s (%,d in %.1f s)%n",
                replay.commandsPerSecond(), replay.commands(), replay.applySeconds());
        return replay;
    }

    /** The analytics example's totals over everything this run produced, against the same sums over the ledger. */
    private static boolean analyticsMatchLedger(BenchEnvironment environment) throws Exception {
        System.out.println("Analytics example: reading tally.events.v1 from the beginning...");
        var fromEvents = io.tally.examples.analytics.LedgerReconciliation.fromEvents(
                io.tally.examples.analytics.UsagePerHour.read(environment.settings.bootstrapServers(), null));
        try (var connection = environment.tally.dataSource().getConnection()) {
            var fromLedger = io.tally.examples.analytics.LedgerReconciliation.fromLedger(connection, null);
            System.out.printf(
                    "  %d rows (hour, tenant, product) from the events, %d from the ledger%n",
                    fromEvents.size(), fromLedger.size());
            return !fromEvents.isEmpty() && fromEvents.equals(fromLedger);
        }
    }

    /** A random device of the floating license checking in ({@code check_license} takes or renews its seat). */
    private static final java.util.function.Supplier<OpenLoopLoad.Call> FLOATING_CHECK_IN = () -> new OpenLoopLoad.Call(
            org.eclipse.jetty.http.HttpMethod.GET,
            "/api/v4/check_license?product=" + BenchEnvironment.FLOAT_PRODUCT + "&license_key="
                    + BenchEnvironment.FLOAT_LICENSE + "&hardware_id=float-device-"
                    + java.util.concurrent.ThreadLocalRandom.current().nextInt(BenchEnvironment.FLOAT_DEVICES),
            null);

    /** A check-in is served when the device gets its seat, or is told none is free: both are right answers. */
    private static final java.util.function.Predicate<String> FLOATING_SERVED =
            outcome -> outcome.equals("200") || outcome.equals("400 floating_not_available");

    /** Steps up the ladder until the system saturates (p99 over 1 s, errors, or well under the offered rate). */
    private List<StepResult> ladder(
            OpenLoopLoad load,
            OpenLoopLoad.Target target,
            String profile,
            java.util.function.Supplier<OpenLoopLoad.Call> calls,
            java.util.function.Predicate<String> served)
            throws Exception {
        List<StepResult> steps = new ArrayList<>();
        for (double rate : LADDER) {
            if (rate > maxRate) {
                break;
            }
            // One step of the hot license, where the latency target is missed, is profiled.
            boolean profiled = target.system().equals("tally") && profile.equals("hot") && rate == 1_000;
            var recording = profiled ? ProfileSummary.start() : null;
            StepResult step = load.run(target, profile, rate, Duration.ofSeconds(stepSeconds), calls, served, drain());
            if (profiled) {
                cpuProfiles.append(ProfileSummary.stop(
                        recording,
                        workDirectory.toAbsolutePath().resolve("hot-1000.jfr"),
                        "Tally, one hot license, 1,000 requests/s offered (gateway, worker, broker, load generator)"));
            }
            steps.add(step);
            System.out.println("  " + describe(step));
            long failed = step.outcomes().entrySet().stream()
                    .filter(outcome -> !served.test(outcome.getKey()))
                    .mapToLong(Map.Entry::getValue)
                    .sum();
            boolean saturated =
                    step.p99Millis() > 1_000 || failed > step.sent() / 100 || step.throughput() < 0.8 * rate;
            if (saturated) {
                break;
            }
            Thread.sleep(1_000);
        }
        return steps;
    }

    private static Duration drain() {
        return Duration.ofSeconds(20);
    }

    private static long[] awaitLedgerSettled(BenchEnvironment environment) throws Exception {
        long[] last = environment.tallyTotals();
        for (int i = 0; i < 60; i++) {
            Thread.sleep(500);
            long[] now = environment.tallyTotals();
            if (now[1] == last[1]) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private static byte[][] bodies(String[] licenses) {
        byte[][] bodies = new byte[licenses.length][];
        for (int i = 0; i < licenses.length; i++) {
            bodies[i] = ("{\"product\":\"" + BenchEnvironment.PRODUCT + "\",\"license_key\":\"" + licenses[i]
                            + "\",\"hardware_id\":\"" + BenchEnvironment.HARDWARE_ID + "\",\"consumptions\":1}")
                    .getBytes(StandardCharsets.UTF_8);
        }
        return bodies;
    }

    private static String describe(StepResult step) {
        return String.format(
                java.util.Locale.ROOT,
                "%s %s offered %,.0f/s: %,.0f/s, p50 %.1f ms, p99 %.1f ms, max %.0f ms %s",
                step.system(),
                step.profile(),
                step.offeredRate(),
                step.throughput(),
                step.p50Millis(),
                step.p99Millis(),
                step.maxMillis(),
                step.outcomes());
    }

    private int measureCost() throws Exception {
        String startedAt = Instant.now().toString();
        Path directory = workDirectory.toAbsolutePath().resolve("cost");
        BenchEnvironment.deleteRecursively(directory);
        Files.createDirectories(directory);
        var plan = new io.tally.bench.cost.CostProbe.Plan(
                zipfLicenses,
                costRates,
                Duration.ofSeconds(costSeconds),
                Duration.ofSeconds(idleSeconds),
                Duration.ofSeconds(warmUpSeconds),
                Duration.ofSeconds(warmUpMaxSeconds));
        var result = io.tally.bench.cost.CostProbe.run(directory, plan, System.out);
        String page = io.tally.bench.cost.CostReport.render(
                result,
                "./tally-bench " + System.getProperty("tally.bench.args", "--cost"),
                startedAt,
                machine().toString());
        Files.createDirectories(costReport.toAbsolutePath().getParent());
        Files.writeString(costReport, page);
        System.out.println("Wrote " + costReport);
        return result.steps().stream().allMatch(step -> step.load().ok() > 0) ? 0 : 1;
    }

    private static Map<String, String> machine() {
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        machine.put("max heap", Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        machine.put("java", System.getProperty("java.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("RSA provider", io.tally.gateway.signing.RsaSigning.providerName());
        return machine;
    }

    private void write(BenchResults results) throws Exception {
        Path directory = report.toAbsolutePath().getParent().resolve("benchmarks");
        Files.createDirectories(directory);
        Path chart = directory.resolve("latency-throughput.svg");
        List<StepResult> charted = new ArrayList<>(results.steps());
        Files.writeString(chart, LatencyChart.svg(charted, BenchResults.P99_TARGET_MILLIS));
        Files.writeString(
                directory.resolve("results.json"),
                JsonMapper.builder()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .build()
                        .writeValueAsString(results));
        String analysis = Files.exists(findings) ? Files.readString(findings) : "";
        if (!cpuProfiles.isEmpty()) {
            Files.writeString(
                    directory.resolve("profiles.md"),
                    "# CPU profiles of the last benchmark run\n\nWritten by `" + results.command()
                            + "`; PostgreSQL runs" + " as a process of its own and is not in them.\n\n" + cpuProfiles);
        }
        Files.writeString(report, MarkdownReport.of(results, "benchmarks/latency-throughput.svg", analysis));
        System.out.println("Wrote " + report + ", " + chart + " and " + directory.resolve("results.json"));
    }
}
