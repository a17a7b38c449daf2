package io.tally.gateway.consumption;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Measures how many waiting calls complete per second, in windows of about a second, for {@link Admission}.
 *
 * <p>Thread-safe: completions are counted without locking; the window rolls under a lock, at most once a second.
 */
final class CompletionRate {

    private static final long WINDOW_NANOS = 1_000_000_000L;

    /** A window much longer than one second was mostly idle; its rate would understate the capacity. */
    private static final long STALE_WINDOW_NANOS = 2 * WINDOW_NANOS;

    private final LongAdder completions = new LongAdder();
    private final LongSupplier nanoClock;
    private volatile double estimate;
    private long windowStart;
    private volatile boolean refused;

    CompletionRate(double initialRate, LongSupplier nanoClock) {
        this.estimate = initialRate;
        this.nanoClock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
    }

    /** One waiting call completed (answered, or acknowledged by the broker for an asynchronous one). */
    void completed() {
        completions.increment();
    }

    /** A call was refused: in this window the gate, not demand, set the rate. */
    void refused() {
        refused = true;
    }

    /** Completions per second, as estimated at the last whole window. */
    double perSecond() {
        long now = nanoClock.getAsLong();
        if (now - windowStart >= WINDOW_NANOS) {
            roll(now);
        }
        return estimate;
    }

    private synchronized void roll(long now) {
        long elapsed = now - windowStart;
        if (elapsed < WINDOW_NANOS) {
            return; // another thread rolled it
        }
        long completed = completions.sumThenReset();
        boolean saturated = refused;
        refused = false;
        windowStart = now;
        if (elapsed <= STALE_WINDOW_NANOS) {
            estimate = Admission.nextRate(estimate, completed, elapsed / 1e9, saturated);
        }
    }
}
