package io.tally.gateway.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LiveStatusTest {

    static final long START_SECOND = 1_800_000_000L;

    final LiveStatus status =
            new LiveStatus(Clock.fixed(Instant.ofEpochMilli(START_SECOND * 1_000 + 300), ZoneOffset.UTC));

    @Test
    void shouldCountEveryCallInExactlyOneSecondWhenSecondsAreSealedWhileCallsAreRecorded() throws Exception {
        // given
        int threads = 4;
        int callsEach = 50_000;
        List<Thread> recorders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            recorders.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < callsEach; i++) {
                    status.record(200, 1_000_000, "t / p / HOT…01");
                }
            }));
        }

        // when
        long second = START_SECOND;
        while (second < START_SECOND + 50) {
            status.seal(++second);
            TimeUnit.MILLISECONDS.sleep(1);
        }
        for (Thread recorder : recorders) {
            recorder.join();
        }
        status.seal(++second);

        // then
        StatusView view = status.view();
        assertThat(view.second()).isEqualTo(second - 1);
        assertThat(view.throughput().stream()
                        .mapToLong(StatusView.SecondView::succeeded)
                        .sum())
                .isEqualTo((long) threads * callsEach);
        assertThat(view.throughput().stream()
                        .mapToLong(shown -> shown.refused() + shown.throttled() + shown.failed())
                        .sum())
                .isZero();
    }

    @Test
    void shouldCountCallsByOutcomeAndLeaveThrottledOnesOutOfTheLatencies() {
        // given
        for (int code : new int[] {200, 202, 400, 404, 429, 503}) {
            status.record(code, 2_000_000, null);
        }

        // when
        status.seal(START_SECOND + 1);

        // then
        StatusView view = status.view();
        assertThat(view.second()).isEqualTo(START_SECOND);
        StatusView.SecondView last = view.throughput().getLast();
        assertThat(List.of(last.succeeded(), last.refused(), last.throttled(), last.failed()))
                .containsExactly(2L, 2L, 1L, 1L);
        assertThat(view.latency().calls()).isEqualTo(5);
        assertThat(view.latency().p50()).isBetween(1.98, 2.02);
        assertThat(view.busiest()).isEmpty();
    }

    @Test
    void shouldRankTheBusiestLicensesAndCountEveryCallWhenABurstNamesMoreLicensesThanItTellsApart() {
        // given
        for (int i = 0; i < LiveStatus.LICENSES_PER_SECOND - 2; i++) {
            status.record(200, 1_000, "t / p / " + i);
        }
        for (int i = 0; i < 5; i++) {
            status.record(200, 1_000, "t / p / HOT…01");
            status.record(i < 3 ? 200 : 429, 1_000, "t / p / WARM…02");
        }
        status.record(200, 1_000, "t / p / LATE…03");

        // when
        status.seal(START_SECOND + 1);
        status.record(200, 1_000, "t / p / LATE…03");
        status.record(200, 1_000, "t / p / LATE…03");
        status.seal(START_SECOND + 2);

        // then
        StatusView view = status.view();
        assertThat(view.throughput().stream()
                        .mapToLong(s -> s.succeeded() + s.throttled())
                        .sum())
                .isEqualTo(LiveStatus.LICENSES_PER_SECOND - 2 + 10 + 3);
        assertThat(view.busiest()).hasSize(StatusView.BUSIEST_SHOWN);
        assertThat(view.busiest().get(0)).isEqualTo(new LicenseCalls("t / p / HOT…01", 5, 5));
        assertThat(view.busiest().get(1)).isEqualTo(new LicenseCalls("t / p / WARM…02", 5, 3));
        // The cap was reached before LATE's first call: only its calls of the next second name it.
        assertThat(view.busiest().get(2)).isEqualTo(new LicenseCalls("t / p / LATE…03", 2, 2));
    }

    @Test
    void shouldKeepTheLastMinuteOnly() {
        // given
        status.record(200, 1_000, "t / p / OLD…01");

        // when
        for (long second = START_SECOND + 1; second <= START_SECOND + 70; second++) {
            status.seal(second);
        }

        // then
        StatusView view = status.view();
        assertThat(view.second()).isEqualTo(START_SECOND + 69);
        assertThat(view.throughput().stream()
                        .mapToLong(StatusView.SecondView::succeeded)
                        .sum())
                .isZero();
        assertThat(view.busiest()).isEmpty();
    }

    @Test
    void shouldNeverSealTwoSecondsAlikeWhenTicksComeLate() {
        // given
        status.record(200, 1_000, null);
        status.seal(START_SECOND + 1);
        status.record(200, 1_000, null);

        // when: a starved ticker catches up, sealing twice with the same clock second, then once too early
        status.seal(START_SECOND + 3);
        status.record(200, 1_000, null);
        status.seal(START_SECOND + 3);
        status.seal(START_SECOND + 2);
        status.record(200, 1_000, null);
        status.seal(START_SECOND + 4);

        // then: each second once, every call counted
        StatusView view = status.view();
        assertThat(view.second()).isEqualTo(START_SECOND + 3);
        assertThat(view.throughput().subList(StatusView.THROUGHPUT_SECONDS - 4, StatusView.THROUGHPUT_SECONDS))
                .extracting(StatusView.SecondView::second, StatusView.SecondView::succeeded)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(START_SECOND, 1L),
                        org.assertj.core.groups.Tuple.tuple(START_SECOND + 1, 1L),
                        org.assertj.core.groups.Tuple.tuple(START_SECOND + 2, 0L),
                        org.assertj.core.groups.Tuple.tuple(START_SECOND + 3, 2L));
    }
}
