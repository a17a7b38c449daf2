package io.tally.bench.load;

import java.util.Map;

/**
 * One load step as measured: the rate offered, what came back, and latency from each request's intended start (so a
 * request that waited for the generator or a connection counts its wait).
 *
 * @param throughput answers served per second over the step (HTTP 200, and for the floating profile the refusal
 *     {@code floating_not_available} too), from its start to the last answer
 * @param outcomes answers by status and error code (e.g. {@code 200}, {@code 429 too_many_requests}, {@code io
 *     TimeoutException})
 */
public record StepResult(
        String system,
        String profile,
        double offeredRate,
        long sent,
        double throughput,
        double p50Millis,
        double p99Millis,
        double p999Millis,
        double maxMillis,
        Map<String, Long> outcomes) {

    public long ok() {
        return outcomes.getOrDefault("200", 0L);
    }

    /** Answers other than 200. */
    public long errors() {
        return sent - ok();
    }
}
