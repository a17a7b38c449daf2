package io.tally.bench.load;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Warm-up that lasts until the JIT compiler has settled, so that a measured step meets steady-state code and not the
 * compiler: right after start the compiler threads of a JVM holding the broker, the gateway and the worker took more
 * than half a core for over a minute (30,000 compilations in 90 s), on a machine of two. Load runs in chunks until
 * a chunk spent less than {@code quietShare} of its length compiling, or until {@code longest} has passed.
 *
 * <p>Not thread-safe; measures the compilation time of this JVM (where the systems under test run).
 */
public final class WarmUp {

    /** How long it lasted, how many chunks, and the share of the last chunk spent compiling. */
    public record Result(Duration length, int chunks, double lastCompilingShare, StepResult lastChunk) {}

    private final LongSupplier compilationMillis;

    public WarmUp() {
        this(compilationMillisOfThisJvm());
    }

    /** Warm-up judged by {@code compilationMillis}, the compile time so far of the processes warmed up. */
    public WarmUp(LongSupplier compilationMillis) {
        this.compilationMillis = compilationMillis;
    }

    /**
     * Runs {@code chunk} (a load step of {@code chunkLength}) until the compiler went quiet or {@code longest} passed;
     * at least once.
     */
    public Result run(Supplier<StepResult> chunk, Duration chunkLength, Duration longest, double quietShare) {
        long started = System.nanoTime();
        int chunks = 0;
        while (true) {
            long compiledBefore = compilationMillis.getAsLong();
            long chunkStarted = System.nanoTime();
            StepResult last = chunk.get();
            chunks++;
            double chunkMillis = Math.max(1, (System.nanoTime() - chunkStarted) / 1e6);
            double compilingShare = (compilationMillis.getAsLong() - compiledBefore) / chunkMillis;
            Duration length = Duration.ofNanos(System.nanoTime() - started);
            if (compilingShare < quietShare || length.plus(chunkLength).compareTo(longest) > 0) {
                return new Result(length, chunks, compilingShare, last);
            }
        }
    }

    private static LongSupplier compilationMillisOfThisJvm() {
        CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
            // Without the figure, every warm-up lasts its longest.
            return () -> System.nanoTime() / 1_000_000;
        }
        return compiler::getTotalCompilationTime;
    }
}
