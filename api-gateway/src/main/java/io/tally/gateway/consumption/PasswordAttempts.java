package io.tally.gateway.consumption;

import io.tally.gateway.api.ApiError;
import io.tally.gateway.api.ApiException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Failed password checks per license user, so that a stream of wrong-password activations cannot make the worker spend
 * its license's ordered path on password hashing (ADR 19): after {@code maxFailures} refusals with {@code
 * invalid_password} within a window of a minute, further activations of that user are answered 429 {@code
 * too_many_attempts} with {@code Retry-After} until the window ends; nothing is produced. Each gateway counts alone.
 *
 * <p>Bounded: at most {@link #MAX_USERS} users are remembered; past it, windows that are over are dropped, and if none
 * is, all are forgotten (a flood of distinct users is not worth remembering). Thread-safe.
 */
@Component
public class PasswordAttempts {

    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int MAX_USERS = 100_000;

    /**
     * The failures of one user in the window that started at {@code start} (nanoseconds of a monotonic clock). Pure.
     */
    record Window(long start, int failures) {

        /** Whether an attempt at {@code now} is refused. */
        boolean refuses(long now, int maxFailures) {
            return now - start < WINDOW.toNanos() && failures >= maxFailures;
        }

        /** The window after one more failure at {@code now}: a new one once this one is over. */
        Window failedAt(long now) {
            return now - start < WINDOW.toNanos() ? new Window(start, failures + 1) : new Window(now, 1);
        }

        /** Whole seconds until the window ends, at least 1. */
        long secondsLeft(long now) {
            return Math.max(1, (WINDOW.toNanos() - (now - start) + 999_999_999) / 1_000_000_000);
        }
    }

    private final int maxFailures;
    private final LongSupplier nanoTime;
    private final Map<List<String>, Window> windows = new ConcurrentHashMap<>();

    @Autowired
    public PasswordAttempts(io.tally.gateway.validation.InputLimits limits) {
        this(limits.passwordFailuresPerMinute(), System::nanoTime);
    }

    PasswordAttempts(int maxFailures, LongSupplier nanoTime) {
        this.maxFailures = maxFailures;
        this.nanoTime = nanoTime;
    }

    /** Refuses with 429 {@code too_many_attempts} while the user has used up its failures. */
    public void admit(String tenantId, String product, String username) {
        long now = nanoTime.getAsLong();
        Window window = windows.get(List.of(tenantId, product, username));
        if (window != null && window.refuses(now, maxFailures)) {
            long seconds = window.secondsLeft(now);
            throw new ApiException(
                    new ApiError(
                            429,
                            "too_many_attempts",
                            "Too many failed password attempts for this user; retry in " + seconds + " s"),
                    seconds);
        }
    }

    /** Counts one {@code invalid_password} answer. */
    public void failed(String tenantId, String product, String username) {
        long now = nanoTime.getAsLong();
        if (windows.size() >= MAX_USERS) {
            windows.values().removeIf(window -> now - window.start() >= WINDOW.toNanos());
            if (windows.size() >= MAX_USERS) {
                windows.clear(); // a flood of distinct users: forget rather than grow
            }
        }
        windows.compute(
                List.of(tenantId, product, username),
                (key, window) -> window == null ? new Window(now, 1) : window.failedAt(now));
    }
}
