package io.tally.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final StringWriter err = new StringWriter();
    private long now = 0;

    @Test
    void shouldPrintCountsTotalAndRateAtMostEveryTwoSecondsThenASummary() {
        var progress = new Progress(new PrintWriter(err), "rebuild: commands applied", 10_000, () -> now);

        progress.advance(1_000); // at 0 s: too soon
        now = TimeUnit.SECONDS.toNanos(2);
        progress.advance(3_000); // 4,000 in 2 s
        now = TimeUnit.SECONDS.toNanos(3);
        progress.advance(1_000); // too soon after the last line
        now = TimeUnit.SECONDS.toNanos(5);
        progress.finish();

        assertThat(err.toString().replace("\r", ""))
                .isEqualTo("rebuild: commands applied: 4,000 of 10,000 (2,000/s)\n"
                        + "rebuild: commands applied: 5,000 done in 5.0 s (1,000/s)\n");
    }
}
