package io.tally.gateway.consumption;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CompletionRateTest {

    private final AtomicLong nanos = new AtomicLong();
    private final CompletionRate rate = new CompletionRate(400, nanos::get);

    @Test
    void shouldAverageTheLastWindowIntoTheEstimateWhenCallsWereRefusedInIt() {
        // given
        for (int i = 0; i < 100; i++) {
            rate.completed();
        }
        rate.refused();

        // when
        nanos.addAndGet(1_000_000_000L);

        // then
        assertThat(rate.perSecond()).isEqualTo((400 + 100) / 2.0);
    }

    @Test
    void shouldNotLowerTheEstimateWhenNoCallWasRefused() {
        // given: a light load, far below what the gate allows
        for (int i = 0; i < 100; i++) {
            rate.completed();
        }

        // when
        nanos.addAndGet(1_000_000_000L);

        // then
        assertThat(rate.perSecond()).isEqualTo(400.0);
    }

    @Test
    void shouldRaiseTheEstimateWhenMoreCompleteThanItSays() {
        // given
        for (int i = 0; i < 900; i++) {
            rate.completed();
        }

        // when
        nanos.addAndGet(1_000_000_000L);

        // then
        assertThat(rate.perSecond()).isEqualTo(900.0);
    }

    @Test
    void shouldKeepTheEstimateWithinAWindow() {
        // given
        rate.completed();

        // when
        nanos.addAndGet(500_000_000L);

        // then
        assertThat(rate.perSecond()).isEqualTo(400.0);
    }

    @Test
    void shouldIgnoreAWindowThatWasMostlyIdleWhenCallsArriveAfterAPause() {
        // given: a minute without calls
        nanos.addAndGet(60_000_000_000L);

        // when
        double estimate = rate.perSecond();

        // then
        assertThat(estimate).isEqualTo(400.0);
    }
}
