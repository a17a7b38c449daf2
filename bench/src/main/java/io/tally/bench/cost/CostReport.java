package io.tally.bench.cost;

import io.tally.bench.cost.CostProbe.Result;
import io.tally.bench.cost.CostProbe.Step;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Markdown page of a {@link CostProbe} run: idle shares, CPU per call of every process at every rate, and the
 * CPU-per-call targets with whether this run met them. A pure function of the result.
 */
public final class CostReport {

    /** Idle: gateway and worker together under this share of one core. */
    static final double IDLE_TARGET = 0.02;

    /** At the highest rate: the gateway's and the worker's CPU per call at most these, in microseconds. */
    static final double GATEWAY_TARGET_MICROS = 350;

    static final double WORKER_TARGET_MICROS = 150;

    /** At the highest rate: all of Tally's processes at most this many times the naive service with its database. */
    static final double RATIO_TARGET = 1.5;

    private CostReport() {}

    /** The page; {@code command} and {@code machine} say how and where it was measured. */
    public static String render(Result result, String command, String startedAt, String machine) {
        var page = new StringBuilder();
        page.append("# CPU per call\n\n");
        page.append("`%s`, started %s, on %s.\n\n".formatted(command, startedAt, machine));
        page.append("Every part runs in a process of its own (broker, worker, gateway and naive service as JVMs with ")
                .append(String.join(" ", ChildJvm.JVM_OPTIONS))
                .append(", Tally's and the naive service's PostgreSQL as two servers, the load generator alone in the")
                .append(" benchmark's JVM), so `/proc` tells their CPU apart. Each system is warmed up until its JIT")
                .append(" compilers went quiet; the load is signed `add_consumption` calls, open loop, Zipf over ")
                .append("%,d licenses. A figure per call is the CPU a process used during the step divided by the"
                        .formatted(result.plan().licenses()))
                .append(" calls answered 200; the load generator's is shown apart and counted in no total.\n\n");

        page.append("## Targets\n\n| Target | Measured | Met |\n|---|---|---|\n");
        double idle = result.idleShareOfCore().getOrDefault(CostProbe.GATEWAY, Double.NaN)
                + result.idleShareOfCore().getOrDefault(CostProbe.WORKER, Double.NaN);
        row(page, "Idle: gateway + worker < 2% of one core", percent(idle), idle < IDLE_TARGET);
        double highest = result.plan().rates().stream()
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(Double.NaN);
        Optional<Step> tally = step(result.steps(), "tally", highest);
        Optional<Step> naive = step(result.steps(), "naive", highest);
        double gateway =
                tally.map(step -> step.microsPerCall().get(CostProbe.GATEWAY)).orElse(Double.NaN);
        double worker =
                tally.map(step -> step.microsPerCall().get(CostProbe.WORKER)).orElse(Double.NaN);
        row(
                page,
                "At %s/s: gateway <= %.0f µs per call".formatted(number(highest), GATEWAY_TARGET_MICROS),
                micros(gateway),
                gateway <= GATEWAY_TARGET_MICROS);
        row(
                page,
                "At %s/s: worker <= %.0f µs per call".formatted(number(highest), WORKER_TARGET_MICROS),
                micros(worker),
                worker <= WORKER_TARGET_MICROS);
        double tallyTotal = tally.map(Step::totalMicros).orElse(Double.NaN);
        double naiveTotal = naive.map(Step::totalMicros).orElse(Double.NaN);
        double ratio = tallyTotal / naiveTotal;
        row(
                page,
                "At %s/s: gateway + worker + broker + PostgreSQL <= %.1f x naive service + its PostgreSQL"
                        .formatted(number(highest), RATIO_TARGET),
                "%s against %s: %.2f x".formatted(micros(tallyTotal), micros(naiveTotal), ratio),
                ratio <= RATIO_TARGET);

        page.append("\n## Idle\n\n");
        page.append("Tally with no traffic at all for %d s after its warm-up, as a share of one core:\n\n"
                .formatted(result.idleMeasured().toSeconds()));
        page.append("| Process | Share of one core |\n|---|---|\n");
        result.idleShareOfCore()
                .forEach((process, share) -> page.append("| %s | %s |\n".formatted(process, percent(share))));

        page.append("\n## Per call\n\n");
        page.append("| System | Offered | Answered 200 | p50 ms | p99 ms | CPU per call, µs | Total, µs |\n");
        page.append("|---|---|---|---|---|---|---|\n");
        for (Step step : result.steps()) {
            var load = step.load();
            page.append("| %s | %s/s | %,d of %,d | %.1f | %.1f | %s | %s |\n"
                    .formatted(
                            step.system(),
                            number(load.offeredRate()),
                            load.ok(),
                            load.sent(),
                            load.p50Millis(),
                            load.p99Millis(),
                            breakdown(step.microsPerCall()),
                            micros(step.totalMicros())));
        }
        return page.toString();
    }

    private static Optional<Step> step(List<Step> steps, String system, double rate) {
        return steps.stream()
                .filter(step -> step.system().equals(system) && step.load().offeredRate() == rate)
                .findFirst();
    }

    private static String breakdown(Map<String, Double> micros) {
        var parts = new StringBuilder();
        micros.forEach((process, value) -> {
            if (!parts.isEmpty()) {
                parts.append(", ");
            }
            parts.append(process).append(' ').append(micros(value));
        });
        return parts.toString();
    }

    private static void row(StringBuilder page, String target, String measured, boolean met) {
        page.append("| %s | %s | %s |\n".formatted(target, measured, met ? "yes" : "**no**"));
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    private static String micros(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }
}
