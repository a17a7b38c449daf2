package io.tally.gateway.status;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What the gateway answered in one second of wall-clock time.
 *
 * @param second the second, in seconds since the epoch
 * @param counts calls answered in it, by outcome
 * @param latencies time from the request's arrival to its answer, in microseconds, of every call but the throttled
 *     ones (a 429 is answered before any work and would hide how long real work takes); never modified once the second
 *     is sealed
 * @param busiest the licenses named by most calls in this second, most first, at most {@link LiveStatus#KEPT_PER_SECOND}
 */
public record SecondOfCalls(long second, CallCounts counts, Histogram latencies, List<LicenseCalls> busiest) {

    /** Latencies are kept to two significant digits (1%) up to a minute: 20 KiB a second, whatever the traffic. */
    static final long HIGHEST_LATENCY_MICROS = 60_000_000L;

    static final int LATENCY_DIGITS = 2;

    public SecondOfCalls {
        busiest = List.copyOf(busiest);
    }

    static Histogram emptyLatencies() {
        return new Histogram(1, HIGHEST_LATENCY_MICROS, LATENCY_DIGITS);
    }

    static SecondOfCalls empty(long second) {
        return new SecondOfCalls(second, CallCounts.NONE, emptyLatencies(), List.of());
    }
}
