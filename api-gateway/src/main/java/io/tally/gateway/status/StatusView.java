package io.tally.gateway.status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What the status page shows, computed from the sealed seconds alone ({@link #of}): a pure function, so the page
 * shows the same for the same seconds whichever thread asks.
 *
 * @param second the latest second shown (seconds since the epoch)
 * @param throughput the last {@link #THROUGHPUT_SECONDS} seconds, oldest first, one entry per second (zero where
 *     nothing was answered)
 * @param latency percentiles over the last {@link #RECENT_SECONDS} seconds
 * @param busiest the licenses named by most calls over the last {@link #RECENT_SECONDS} seconds, most first
 */
public record StatusView(long second, List<SecondView> throughput, Latency latency, List<LicenseCalls> busiest) {

    public static final int THROUGHPUT_SECONDS = 60;
    public static final int RECENT_SECONDS = 10;
    public static final int BUSIEST_SHOWN = 10;

    public StatusView {
        throughput = List.copyOf(throughput);
        busiest = List.copyOf(busiest);
    }

    /**
     * One second of the throughput chart.
     *
     * @param p99Millis the 99th percentile latency of the second's calls, 0 when there were none
     */
    public record SecondView(
            long second, long succeeded, long refused, long throttled, long failed, double p99Millis) {}

    /**
     * Latency of the calls answered in a span, in milliseconds (throttled calls excluded, see {@link SecondOfCalls}).
     *
     * @param seconds length of the span
     * @param calls calls measured; every percentile is 0 when none
     */
    public record Latency(int seconds, long calls, double p50, double p90, double p99, double p999, double max) {}

    /**
     * The view at {@code latestSecond} from the seconds kept. Seconds after {@code latestSecond} or before the
     * throughput window are ignored; a second missing from {@code seconds} counts as one without calls. Does not
     * modify its arguments.
     */
    public static StatusView of(List<SecondOfCalls> seconds, long latestSecond) {
        Map<Long, SecondOfCalls> bySecond = new HashMap<>();
        for (SecondOfCalls second : seconds) {
            bySecond.put(second.second(), second);
        }
        List<SecondView> throughput = new ArrayList<>(THROUGHPUT_SECONDS);
        for (long s = latestSecond - THROUGHPUT_SECONDS + 1; s <= latestSecond; s++) {
            throughput.add(secondView(bySecond.getOrDefault(s, SecondOfCalls.empty(s))));
        }
        Histogram recentLatencies = SecondOfCalls.emptyLatencies();
        List<List<LicenseCalls>> recentBusiest = new ArrayList<>();
        for (long s = latestSecond - RECENT_SECONDS + 1; s <= latestSecond; s++) {
            SecondOfCalls second = bySecond.get(s);
            if (second != null) {
                recentLatencies.add(second.latencies());
                recentBusiest.add(second.busiest());
            }
        }
        return new StatusView(
                latestSecond, throughput, latency(recentLatencies), busiest(recentBusiest, BUSIEST_SHOWN));
    }

    /**
     * The {@code limit} licenses with most calls summed over {@code lists}, most first; equal counts in license
     * order, so the result does not depend on the order of the lists.
     */
    static List<LicenseCalls> busiest(List<List<LicenseCalls>> lists, int limit) {
        Map<String, LicenseCalls> summed = new HashMap<>();
        for (List<LicenseCalls> list : lists) {
            for (LicenseCalls calls : list) {
                summed.merge(calls.license(), calls, LicenseCalls::plus);
            }
        }
        return summed.values().stream().sorted(MOST_CALLS_FIRST).limit(limit).toList();
    }

    static final Comparator<LicenseCalls> MOST_CALLS_FIRST =
            Comparator.comparingLong(LicenseCalls::calls).reversed().thenComparing(LicenseCalls::license);

    private static SecondView secondView(SecondOfCalls second) {
        CallCounts counts = second.counts();
        return new SecondView(
                second.second(),
                counts.succeeded(),
                counts.refused(),
                counts.throttled(),
                counts.failed(),
                millis(second.latencies(), 99.0));
    }

    private static Latency latency(Histogram latencies) {
        return new Latency(
                RECENT_SECONDS,
                latencies.getTotalCount(),
                millis(latencies, 50.0),
                millis(latencies, 90.0),
                millis(latencies, 99.0),
                millis(latencies, 99.9),
                latencies.getTotalCount() == 0 ? 0 : latencies.getMaxValue() / 1_000.0);
    }

    private static double millis(Histogram latencies, double percentile) {
        return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile) / 1_000.0;
    }
}
