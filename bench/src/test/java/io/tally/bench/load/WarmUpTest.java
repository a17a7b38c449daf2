package io.tally.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarmUpTest {

    private static final StepResult CHUNK =
            new StepResult("tally", "warm-up", 500, 500, 500, 1, 2, 3, 4, Map.of("200", 500L));

    @Test
    void shouldStopWhenAChunkSpentLittleTimeCompiling() {
        // given: the compiler busy for two chunks (10 ms each, all of it compiling), then quiet
        var compiled = new AtomicLong();
        var chunks = new AtomicInteger();
        var warmUp = new WarmUp(compiled::get);

        // when
        var result = warmUp.run(
                () -> {
                    sleep(10);
                    if (chunks.incrementAndGet() <= 2) {
                        compiled.addAndGet(1_000);
                    }
                    return CHUNK;
                },
                Duration.ofMillis(10),
                Duration.ofMinutes(1),
                0.05);

        // then
        assertThat(result.chunks()).isEqualTo(3);
        assertThat(result.lastCompilingShare()).isZero();
        assertThat(result.lastChunk()).isSameAs(CHUNK);
    }

    @Test
    void shouldStopAtTheLongestWhenTheCompilerNeverSettles() {
        // given
        var compiled = new AtomicLong();
        var warmUp = new WarmUp(compiled::get);

        // when
        var result = warmUp.run(
                () -> {
                    sleep(10);
                    compiled.addAndGet(1_000);
                    return CHUNK;
                },
                Duration.ofMillis(10),
                Duration.ofMillis(45),
                0.05);

        // then: stops before a further chunk would pass the longest
        assertThat(result.chunks()).isBetween(2, 4);
        assertThat(result.lastCompilingShare()).isGreaterThan(0.05);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
