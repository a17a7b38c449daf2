package io.tally.gateway.consumption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.gateway.api.ApiException;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PasswordAttemptsTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final PasswordAttempts attempts = new PasswordAttempts(3, now::get);

    @Test
    void shouldRefuseWithTooManyAttemptsWhenAUserFailedAsOftenAsAllowedWithinAMinute() {
        // given
        for (int i = 0; i < 3; i++) {
            attempts.admit("t", "p", "alice");
            attempts.failed("t", "p", "alice");
        }
        now.addAndGet(20_000_000_000L);

        // when / then
        assertThatThrownBy(() -> attempts.admit("t", "p", "alice")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.error().status()).isEqualTo(429);
            assertThat(e.error().code()).isEqualTo("too_many_attempts");
            assertThat(e.retryAfterSeconds()).isEqualTo(40);
        });
        assertThatCode(() -> attempts.admit("t", "p", "bob")).doesNotThrowAnyException();
        assertThatCode(() -> attempts.admit("other-tenant", "p", "alice")).doesNotThrowAnyException();
    }

    @Test
    void shouldAdmitAgainWhenTheMinuteIsOver() {
        // given
        for (int i = 0; i < 3; i++) {
            attempts.failed("t", "p", "alice");
        }

        // when
        now.addAndGet(PasswordAttempts.WINDOW.toNanos());

        // then
        assertThatCode(() -> attempts.admit("t", "p", "alice")).doesNotThrowAnyException();
    }

    /** Whatever the timing, no window ever admits an attempt after it has seen its maximum of failures. */
    @Property(tries = 300)
    void shouldNeverAdmitMoreFailuresPerWindowThanAllowed(
            @ForAll @IntRange(min = 1, max = 5) int max,
            @ForAll @Size(max = 60) java.util.List<@LongRange(min = 0, max = 30_000_000_000L) Long> gaps) {
        long at = 0;
        PasswordAttempts.Window window = new PasswordAttempts.Window(0, 0);
        int admittedFailuresInWindow = 0;
        long windowStart = 0;
        for (long gap : gaps) {
            at += gap;
            if (!window.refuses(at, max)) {
                PasswordAttempts.Window next = window.failedAt(at);
                if (next.start() != windowStart) {
                    windowStart = next.start();
                    admittedFailuresInWindow = 0;
                }
                admittedFailuresInWindow++;
                window = next;
            }
            assertThat(admittedFailuresInWindow).isLessThanOrEqualTo(Math.max(max, 1));
        }
    }
}
