package io.tally.gateway.status;

/**
 * Calls answered in some span of time, by outcome.
 *
 * @param succeeded answered 2xx
 * @param refused answered 4xx other than 429: the license's limits, validation, authentication
 * @param throttled answered 429: the gateway had too many calls waiting and did no work for this one
 * @param failed answered 5xx: no reply within the reply timeout, broker out of reach
 */
public record CallCounts(long succeeded, long refused, long throttled, long failed) {

    public static final CallCounts NONE = new CallCounts(0, 0, 0, 0);

    public long total() {
        return succeeded + refused + throttled + failed;
    }
}
