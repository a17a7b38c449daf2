package io.tally.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ZipfTest {

    @Property(tries = 200)
    void shouldDrawRanksWithinRangeWhenAnySizeAndSeed(
            @ForAll @IntRange(min = 1, max = 5_000) int size, @ForAll long seed) {
        var zipf = new Zipf(size, 1.0);
        var random = new SplittableRandom(seed);
        for (int i = 0; i < 100; i++) {
            assertThat(zipf.next(random)).isBetween(0, size - 1);
        }
    }

    @Test
    void shouldFavourLowRanksInProportionWhenExponentIsOne() {
        var zipf = new Zipf(10_000, 1.0);
        var random = new SplittableRandom(7);
        int[] counts = new int[10_000];
        int draws = 500_000;
        for (int i = 0; i < draws; i++) {
            counts[zipf.next(random)]++;
        }
        // P(rank k) = 1 / ((k + 1) H(10000)), H(10000) ≈ 9.7876
        assertThat(counts[0] / (double) draws).isCloseTo(1 / 9.7876, org.assertj.core.data.Offset.offset(0.003));
        assertThat((double) counts[0] / counts[1]).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.1));
    }
}
