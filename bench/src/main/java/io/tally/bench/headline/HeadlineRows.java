package io.tally.bench.headline;

import io.tally.bench.load.OpenLoopLoad;
import io.tally.bench.load.StepResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.ToDoubleFunction;

/**
 * Latency at the loads that matter most, measured so that a figure can be trusted: each row holds one offered rate
 * for a whole step (30 s by default, so that a p99 rests on thousands of calls), every row runs several times, and the
 * systems alternate within each run, so that drift of the machine (a compaction, a checkpoint, another process) falls
 * on both alike. A row reports the median of its runs and their spread (lowest and highest). Not thread-safe.
 */
public final class HeadlineRows {

    /** One offered load: a profile of licenses ({@code hot} or {@code zipf}) at a rate in requests per second. */
    public record Row(String profile, int rate) {

        public Row {
            if (!profile.equals("hot") && !profile.equals("zipf")) {
                throw new IllegalArgumentException("a headline row's profile is hot or zipf, not " + profile);
            }
            if (rate <= 0) {
                throw new IllegalArgumentException("a headline row's rate is positive, not " + rate);
            }
        }

        /** {@code profile:rate}, for example {@code hot:500}. */
        public static Row parse(String text) {
            int colon = text.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("a headline row is profile:rate, for example hot:500, not " + text);
            }
            return new Row(
                    text.substring(0, colon).trim(),
                    Integer.parseInt(text.substring(colon + 1).trim()));
        }
    }

    /** Every run of one row on one system. */
    public record Measured(String system, Row row, List<StepResult> runs) {

        public Spread p50() {
            return Spread.of(runs, StepResult::p50Millis);
        }

        public Spread p99() {
            return Spread.of(runs, StepResult::p99Millis);
        }

        public Spread throughput() {
            return Spread.of(runs, StepResult::throughput);
        }

        /** Answers other than 200 over all runs. */
        public long errors() {
            return runs.stream().mapToLong(StepResult::errors).sum();
        }
    }

    /** The median of several runs, and the lowest and highest. */
    public record Spread(double median, double min, double max) {

        static Spread of(List<StepResult> runs, ToDoubleFunction<StepResult> value) {
            double[] sorted = runs.stream().mapToDouble(value).sorted().toArray();
            int n = sorted.length;
            double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            return new Spread(median, sorted[0], sorted[n - 1]);
        }

        String format() {
            return String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", median, min, max);
        }
    }

    private HeadlineRows() {}

    /**
     * Runs every row {@code runs} times on every target, alternating targets within each run.
     *
     * @param licenses the license chooser of each profile
     */
    public static List<Measured> run(
            OpenLoopLoad load,
            List<OpenLoopLoad.Target> targets,
            List<Row> rows,
            int runs,
            Duration step,
            byte[][] bodies,
            Map<String, IntSupplier> licenses,
            java.io.PrintStream out)
            throws InterruptedException {
        List<List<StepResult>> results = new ArrayList<>();
        for (int i = 0; i < rows.size() * targets.size(); i++) {
            results.add(new ArrayList<>());
        }
        for (int run = 1; run <= runs; run++) {
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                for (int t = 0; t < targets.size(); t++) {
                    // Alternate which system goes first, so that neither always follows the other's load.
                    int target = run % 2 == 1 ? t : targets.size() - 1 - t;
                    StepResult result = load.run(
                            targets.get(target),
                            row.profile(),
                            row.rate(),
                            step,
                            bodies,
                            licenses.get(row.profile()),
                            Duration.ofSeconds(20));
                    results.get(r * targets.size() + target).add(result);
                    out.printf(
                            Locale.ROOT,
                            "  run %d %s %s %d/s: p50 %.1f ms, p99 %.1f ms, %.0f/s, %d errors%n",
                            run,
                            targets.get(target).system(),
                            row.profile(),
                            row.rate(),
                            result.p50Millis(),
                            result.p99Millis(),
                            result.throughput(),
                            result.errors());
                }
            }
        }
        List<Measured> measured = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            for (int t = 0; t < targets.size(); t++) {
                measured.add(new Measured(
                        targets.get(t).system(), rows.get(r), List.copyOf(results.get(r * targets.size() + t))));
            }
        }
        measured.sort(Comparator.comparing((Measured m) -> rows.indexOf(m.row())));
        return measured;
    }

    /** A Markdown table: one line per row and system, median (lowest-highest) of each figure. */
    public static String markdown(List<Measured> measured, int runs, Duration step) {
        StringBuilder table = new StringBuilder();
        table.append(String.format(
                Locale.ROOT,
                "Each figure is the median of %d runs of %d s, with the lowest and highest in brackets.%n%n",
                runs,
                step.toSeconds()));
        table.append("| Load | System | p50 ms | p99 ms | Answered/s | Errors |\n");
        table.append("|---|---|---|---|---|---|\n");
        for (Measured one : measured) {
            table.append(String.format(
                    Locale.ROOT,
                    "| %s at %,d/s | %s | %s | %s | %s | %d |%n",
                    one.row().profile().equals("hot") ? "one hot license" : "Zipf licenses",
                    one.row().rate(),
                    one.system(),
                    one.p50().format(),
                    one.p99().format(),
                    one.throughput().format(),
                    one.errors()));
        }
        return table.toString();
    }
}
