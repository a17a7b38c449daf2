package io.tally.bench.report;

import io.tally.bench.load.StepResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Latency versus throughput as an SVG document: one line per system and profile, x the throughput achieved, y the
 * p99 latency on a log scale. Written by hand: a few elements, no fonts or graphics stack needed on a headless
 * machine.
 */
public final class LatencyChart {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 220;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final double MIN_MS = 1;
    private static final double MAX_MS = 10_000;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

    private LatencyChart() {}

    public static String svg(List<StepResult> steps, double p99TargetMillis) {
        Map<String, List<StepResult>> series = new LinkedHashMap<>();
        steps.forEach(step -> series.computeIfAbsent(step.system() + " · " + step.profile(), key -> new ArrayList<>())
                .add(step));
        double maxThroughput = Math.max(
                1, steps.stream().mapToDouble(StepResult::throughput).max().orElse(1));
        double xMax = niceCeiling(maxThroughput);
        var svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                        + " font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
                WIDTH,
                HEIGHT));
        svg.append(text(LEFT, 24, "p99 latency vs throughput (add_consumption, open loop)", "start", 15));
        // axes and grid
        for (double ms = MIN_MS; ms <= MAX_MS; ms *= 10) {
            double y = y(ms);
            svg.append(line(LEFT, y, WIDTH - RIGHT, y, "#ddd"));
            svg.append(text(LEFT - 8, y + 4, label(ms) + " ms", "end", 12));
        }
        for (int i = 0; i <= 5; i++) {
            double value = xMax * i / 5;
            double x = x(value, xMax);
            svg.append(line(x, TOP, x, HEIGHT - BOTTOM, "#eee"));
            svg.append(text(x, HEIGHT - BOTTOM + 18, label(value), "middle", 12));
        }
        svg.append(text((LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 15, "successful requests per second", "middle", 13));
        double target = y(p99TargetMillis);
        svg.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#999\" stroke-dasharray=\"6 4\"/>%n",
                LEFT,
                target,
                WIDTH - RIGHT,
                target));
        svg.append(text(WIDTH - RIGHT - 4, target - 4, "p99 " + label(p99TargetMillis) + " ms", "end", 11));
        int index = 0;
        for (Map.Entry<String, List<StepResult>> entry : series.entrySet()) {
            String colour = COLOURS[index % COLOURS.length];
            var points = new StringBuilder();
            for (StepResult step : entry.getValue()) {
                double px = x(step.throughput(), xMax);
                double py = y(step.p99Millis());
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                svg.append(String.format(
                        Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s: offered %.0f/s, %.0f/s,"
                                + " p99 %.1f ms</title></circle>%n",
                        px,
                        py,
                        colour,
                        escape(entry.getKey()),
                        step.offeredRate(),
                        step.throughput(),
                        step.p99Millis()));
            }
            svg.append(String.format(
                    Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    colour,
                    points.toString().trim()));
            double legendY = TOP + 10 + index * 20;
            svg.append(line(WIDTH - RIGHT + 16, legendY, WIDTH - RIGHT + 40, legendY, colour));
            svg.append(text(WIDTH - RIGHT + 46, legendY + 4, entry.getKey(), "start", 12));
            index++;
        }
        svg.append(line(LEFT, TOP, LEFT, HEIGHT - BOTTOM, "#333"));
        svg.append(line(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM, "#333"));
        return svg.append("</svg>\n").toString();
    }

    static double y(double millis) {
        double clamped = Math.clamp(millis, MIN_MS, MAX_MS);
        double fraction = (Math.log10(clamped) - Math.log10(MIN_MS)) / (Math.log10(MAX_MS) - Math.log10(MIN_MS));
        return HEIGHT - BOTTOM - fraction * (HEIGHT - BOTTOM - TOP);
    }

    static double x(double throughput, double xMax) {
        return LEFT + throughput / xMax * (WIDTH - RIGHT - LEFT);
    }

    /** The next of 1, 2, 5 × 10^k at or above {@code value}. */
    static double niceCeiling(double value) {
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    private static String label(double value) {
        return value >= 1000 && value % 1000 == 0
                ? String.format(Locale.ROOT, "%.0fk", value / 1000)
                : String.format(Locale.ROOT, "%.0f", value);
    }

    private static String line(double x1, double y1, double x2, double y2, String colour) {
        return String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1,
                y1,
                x2,
                y2,
                colour);
    }

    private static String text(double x, double y, String content, String anchor, int size) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
                x,
                y,
                anchor,
                size,
                escape(content));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
