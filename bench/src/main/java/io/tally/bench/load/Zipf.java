package io.tally.bench.load;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Ranks 0..n-1 drawn with Zipf popularity: rank k with probability proportional to 1/(k+1)^s. The cumulative weights
 * are computed once; a draw is a binary search. Immutable; thread-safe given a generator per thread.
 */
public final class Zipf {

    private final double[] cumulative;

    public Zipf(int n, double exponent) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be positive");
        }
        cumulative = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / Math.pow(k + 1, exponent);
            cumulative[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cumulative[k] /= sum;
        }
    }

    public int size() {
        return cumulative.length;
    }

    /** A rank, 0 the most popular. */
    public int next(RandomGenerator random) {
        int index = Arrays.binarySearch(cumulative, random.nextDouble());
        return Math.min(index >= 0 ? index : -index - 1, cumulative.length - 1);
    }
}
