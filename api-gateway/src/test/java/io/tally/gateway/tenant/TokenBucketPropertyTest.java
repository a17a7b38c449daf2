package io.tally.gateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class TokenBucketPropertyTest {

    @Property
    void shouldNeverAllowMoreThanOneSecondsWorthPlusTheRateOverAnyRun(
            @ForAll @DoubleRange(min = 1, max = 10_000) double perSecond,
            @ForAll @Size(max = 300) List<@LongRange(min = 0, max = 50_000_000) Long> gaps) {
        long now = 0;
        TokenBucket bucket = TokenBucket.full(perSecond, now);
        int allowed = 0;
        for (long gap : gaps) {
            now += gap;
            TokenBucket.Taken taken = bucket.take(perSecond, now);
            bucket = taken.bucket();
            if (taken.allowed()) {
                allowed++;
            }
        }

        assertThat((double) allowed)
                .isLessThanOrEqualTo(TokenBucket.capacity(perSecond) + perSecond * now / 1e9 + 1e-6);
    }

    @Property
    void shouldAllowOnceTheWaitItNamedHasPassed(
            @ForAll @DoubleRange(min = 1, max = 10_000) double perSecond,
            @ForAll @LongRange(min = 0, max = 2_000_000_000L) long start) {
        TokenBucket bucket = TokenBucket.full(perSecond, start);
        TokenBucket.Taken taken;
        do {
            taken = bucket.take(perSecond, start);
            bucket = taken.bucket();
        } while (taken.allowed());

        assertThat(taken.nanosUntilAllowed()).isPositive().isLessThanOrEqualTo(1_000_000_000L);
        assertThat(bucket.take(perSecond, start + taken.nanosUntilAllowed()).allowed())
                .isTrue();
    }

    @Property
    void shouldAllowTheWholeCapacityAtOnceFromFull(@ForAll @DoubleRange(min = 1, max = 1_000) double perSecond) {
        TokenBucket bucket = TokenBucket.full(perSecond, 0);
        int allowed = 0;
        TokenBucket.Taken taken;
        while ((taken = bucket.take(perSecond, 0)).allowed()) {
            allowed++;
            bucket = taken.bucket();
        }

        assertThat(allowed).isEqualTo((int) Math.floor(TokenBucket.capacity(perSecond)));
    }
}
