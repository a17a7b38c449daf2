package io.tally.gateway.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class StatusViewPropertyTest {

    static final long LATEST = 1_800_000_000L;

    @Property
    void shouldShowEachOfTheLastSixtySecondsOldestFirstWithItsCounts(@ForAll("seconds") List<SecondOfCalls> seconds) {
        StatusView view = StatusView.of(seconds, LATEST);

        assertThat(view.throughput()).hasSize(StatusView.THROUGHPUT_SECONDS);
        assertThat(view.throughput().stream()
                        .mapToLong(StatusView.SecondView::second)
                        .toArray())
                .containsExactly(LongStream.rangeClosed(LATEST - StatusView.THROUGHPUT_SECONDS + 1, LATEST)
                        .toArray());
        for (StatusView.SecondView shown : view.throughput()) {
            CallCounts expected = seconds.stream()
                    .filter(second -> second.second() == shown.second())
                    .map(SecondOfCalls::counts)
                    .findFirst()
                    .orElse(CallCounts.NONE);
            assertThat(new CallCounts(shown.succeeded(), shown.refused(), shown.throttled(), shown.failed()))
                    .isEqualTo(expected);
        }
    }

    @Property
    void shouldRankLicensesByTheirCallsSummedOverTheLastTenSeconds(@ForAll("seconds") List<SecondOfCalls> seconds) {
        Map<String, Long> expected = new HashMap<>();
        for (SecondOfCalls second : recent(seconds)) {
            for (LicenseCalls calls : second.busiest()) {
                expected.merge(calls.license(), calls.calls(), Long::sum);
            }
        }

        List<LicenseCalls> busiest = StatusView.of(seconds, LATEST).busiest();

        assertThat(busiest).hasSize(Math.min(StatusView.BUSIEST_SHOWN, expected.size()));
        assertThat(busiest).isSortedAccordingTo(StatusView.MOST_CALLS_FIRST);
        for (LicenseCalls shown : busiest) {
            assertThat(shown.calls()).isEqualTo(expected.get(shown.license()));
        }
        long leastShown = busiest.isEmpty() ? 0 : busiest.getLast().calls();
        expected.forEach((license, calls) -> {
            if (busiest.stream().noneMatch(shown -> shown.license().equals(license))) {
                assertThat(calls).isLessThanOrEqualTo(leastShown);
            }
        });
    }

    @Property
    void shouldMeasureLatencyOverTheLastTenSecondsWithoutChangingThem(@ForAll("seconds") List<SecondOfCalls> seconds) {
        List<Long> countsBefore = seconds.stream()
                .map(second -> second.latencies().getTotalCount())
                .toList();
        long recentCalls = recent(seconds).stream()
                .mapToLong(second -> second.latencies().getTotalCount())
                .sum();
        long slowest = recent(seconds).stream()
                .filter(second -> second.latencies().getTotalCount() > 0)
                .mapToLong(second -> second.latencies().getMaxValue())
                .max()
                .orElse(0);

        StatusView.Latency latency = StatusView.of(seconds, LATEST).latency();

        assertThat(latency.calls()).isEqualTo(recentCalls);
        assertThat(latency.p50()).isLessThanOrEqualTo(latency.p90());
        assertThat(latency.p90()).isLessThanOrEqualTo(latency.p99());
        assertThat(latency.p99()).isLessThanOrEqualTo(latency.p999());
        assertThat(latency.p999()).isLessThanOrEqualTo(latency.max());
        assertThat(latency.max()).isEqualTo(slowest / 1_000.0);
        assertThat(seconds.stream().map(second -> second.latencies().getTotalCount()))
                .containsExactlyElementsOf(countsBefore);
    }

    private static List<SecondOfCalls> recent(List<SecondOfCalls> seconds) {
        return seconds.stream()
                .filter(second -> second.second() > LATEST - StatusView.RECENT_SECONDS && second.second() <= LATEST)
                .toList();
    }

    @Provide
    Arbitrary<List<SecondOfCalls>> seconds() {
        Arbitrary<LicenseCalls> licenseCalls = Combinators.combine(
                        Arbitraries.of("t / p / AAAA…01", "t / p / BBBB…02", "t / q / CC…", "u / p / DD…", "u / q / E…")
                                .injectDuplicates(0.1),
                        Arbitraries.longs().between(0, 500),
                        Arbitraries.longs().between(0, 500))
                .as((license, a, b) -> new LicenseCalls(license, Math.max(a, b), Math.min(a, b)));
        Arbitrary<List<LicenseCalls>> perSecond =
                licenseCalls.list().ofMaxSize(5).uniqueElements(LicenseCalls::license);
        Arbitrary<SecondOfCalls> second = Combinators.combine(
                        Arbitraries.longs().between(LATEST - 75, LATEST + 3),
                        Arbitraries.longs().between(0, 1_000).list().ofSize(4),
                        Arbitraries.longs()
                                .between(1, SecondOfCalls.HIGHEST_LATENCY_MICROS)
                                .list()
                                .ofMaxSize(30),
                        perSecond)
                .as((at, counts, latencies, busiest) -> {
                    var histogram = SecondOfCalls.emptyLatencies();
                    latencies.forEach(histogram::recordValue);
                    return new SecondOfCalls(
                            at,
                            new CallCounts(counts.get(0), counts.get(1), counts.get(2), counts.get(3)),
                            histogram,
                            busiest.stream().sorted(StatusView.MOST_CALLS_FIRST).toList());
                });
        return second.list().ofMaxSize(70).uniqueElements(SecondOfCalls::second);
    }
}
