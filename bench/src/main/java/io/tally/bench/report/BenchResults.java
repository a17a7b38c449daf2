package io.tally.bench.report;

import io.tally.bench.load.StepResult;
import io.tally.bench.replay.ReplayBenchmark;
import java.util.List;
import java.util.Map;

/**
 * Everything one benchmark run measured, as written to {@code results.json}.
 *
 * @param burstAcceptedLost burst requests answered 200 (or 503 request_pending) whose command is not in the ledger
 * @param checks consistency checks after the run, by name: true when they held
 */
public record BenchResults(
        String command,
        String startedAt,
        Map<String, String> machine,
        List<StepResult> steps,
        StepResult burst,
        long burstAcceptedLost,
        ReplayBenchmark.Result replay,
        Map<String, Boolean> checks) {

    public static final double P99_TARGET_MILLIS = 50;

    /** The highest throughput of {@code system} on {@code profile} at any latency. */
    public double peak(String system, String profile) {
        return steps.stream()
                .filter(step -> step.system().equals(system) && step.profile().equals(profile))
                .mapToDouble(StepResult::throughput)
                .max()
                .orElse(0);
    }

    /** The highest throughput of {@code system} on {@code profile} with p99 within the target and no error. */
    public double sustained(String system, String profile) {
        return steps.stream()
                .filter(step -> step.system().equals(system) && step.profile().equals(profile))
                .filter(step -> step.p99Millis() <= P99_TARGET_MILLIS && step.errors() == 0)
                .mapToDouble(StepResult::throughput)
                .max()
                .orElse(0);
    }
}
