package io.tally.gateway.tenant;

/**
 * A tenant's allowance of requests: {@code tokens} left as of {@code at} (nanoseconds of a monotonic clock). Refills at
 * a steady rate up to a capacity of one second's worth, so a tenant may send a burst of that size and then its rate.
 * Immutable; {@link #take} is a pure function.
 *
 * @param tokens requests allowed now, fractional between refills
 * @param at when {@code tokens} was measured
 */
public record TokenBucket(double tokens, long at) {

    /** What {@link #take} decided, and the bucket after it. */
    public record Taken(boolean allowed, TokenBucket bucket, long nanosUntilAllowed) {}

    /** A full bucket at {@code now}. */
    public static TokenBucket full(double perSecond, long now) {
        return new TokenBucket(capacity(perSecond), now);
    }

    /**
     * Takes one request's token at {@code now} if there is one. A refused request leaves the bucket as it was (it
     * does not count against the tenant), and says how long until the next token.
     */
    public Taken take(double perSecond, long now) {
        long elapsed = Math.max(0, now - at);
        double refilled = Math.min(capacity(perSecond), tokens + elapsed * perSecond / 1e9);
        long measuredAt = Math.max(at, now);
        if (refilled >= 1) {
            return new Taken(true, new TokenBucket(refilled - 1, measuredAt), 0);
        }
        long wait = (long) Math.ceil((1 - refilled) / perSecond * 1e9);
        return new Taken(false, new TokenBucket(refilled, measuredAt), Math.max(1, wait));
    }

    static double capacity(double perSecond) {
        return Math.max(1, perSecond);
    }
}
