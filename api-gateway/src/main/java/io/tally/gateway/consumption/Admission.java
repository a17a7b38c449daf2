package io.tally.gateway.consumption;

/**
 * How many calls may wait for the worker at once. Enough to keep the worker's batches full, but no more than can be
 * answered within the target wait at the rate calls are being completed (Little's law: the last call admitted waits
 * about {@code waiting / rate}); a call beyond that would most likely end as {@code request_pending}, so it is better
 * refused at once with 429 and {@code Retry-After}.
 *
 * <p>Pure functions; {@link CompletionRate} feeds them.
 *
 * @param ceiling never more than this many at once ({@code tally.max-in-flight})
 * @param floor always at least this many (or {@link #ceiling} if lower), so a slow patch never shuts the gate
 * @param targetWaitSeconds how long the last admitted call should wait at most, at the measured rate
 */
public record Admission(int ceiling, int floor, double targetWaitSeconds) {

    public Admission {
        if (ceiling < 1 || floor < 1 || !(targetWaitSeconds > 0)) {
            throw new IllegalArgumentException("ceiling and floor must be at least 1 and the target wait positive");
        }
    }

    /** The limit when calls complete at {@code completionsPerSecond}. */
    public int limitAt(double completionsPerSecond) {
        double answerable = Math.max(0, completionsPerSecond) * targetWaitSeconds;
        int lower = Math.min(floor, ceiling);
        // The epsilon keeps rounding from costing one place when the rate is exactly ceiling / target.
        return (int) Math.max(lower, Math.min(ceiling, Math.floor(answerable + 1e-9)));
    }

    /** The rate to assume before any has been measured: the one at which the limit is the ceiling. */
    public double initialRate() {
        return ceiling / targetWaitSeconds;
    }

    /**
     * The next estimate of the completion rate after a window of {@code seconds} with {@code completions}. Only a
     * window in which calls were refused measured the capacity (the gate was the limit): the estimate moves half way
     * to its rate. A window without refusals measured demand, which says nothing about a capacity above it: the
     * estimate only rises to that rate, never falls.
     */
    public static double nextRate(double estimate, long completions, double seconds, boolean refused) {
        if (!(seconds > 0)) {
            return estimate;
        }
        double observed = completions / seconds;
        return refused ? (estimate + observed) / 2 : Math.max(estimate, observed);
    }
}
