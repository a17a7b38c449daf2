package io.tally.ops;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of long work (a rebuild reading the whole commands topic, a redrive), on standard error so that standard
 * output keeps only the result: a line at most every {@link #EVERY} with the count so far, the total and the rate, and a
 * last line when done. Not thread-safe: one per run, advanced from one thread.
 */
public final class Progress {

    /** How often a line is printed at most. */
    public static final Duration EVERY = Duration.ofSeconds(2);

    private final PrintWriter err;
    private final String what;
    private final long total;
    private final LongSupplier nanoTime;
    private final long started;
    private long lastPrinted;
    private long done;

    /** @param total how many there are to do, or -1 when not known */
    public Progress(PrintWriter err, String what, long total) {
        this(err, what, total, System::nanoTime);
    }

    Progress(PrintWriter err, String what, long total, LongSupplier nanoTime) {
        this.err = err;
        this.what = what;
        this.total = total;
        this.nanoTime = nanoTime;
        this.started = nanoTime.getAsLong();
        this.lastPrinted = started;
    }

    /** {@code count} more done; prints a line when the last one is {@link #EVERY} old. */
    public void advance(long count) {
        done += count;
        long now = nanoTime.getAsLong();
        if (now - lastPrinted >= EVERY.toNanos()) {
            lastPrinted = now;
            err.println(line(now, total >= 0 ? "%,d of %,d".formatted(done, total) : "%,d".formatted(done)));
            err.flush();
        }
    }

    /** Prints the last line: how many, in how long, at what rate. */
    public void finish() {
        long now = nanoTime.getAsLong();
        err.println(line(now, "%,d done in %.1f s".formatted(done, (now - started) / 1e9)));
        err.flush();
    }

    private String line(long now, String count) {
        double seconds = Math.max(1e-9, (now - started) / 1e9);
        return String.format(Locale.ROOT, "%s: %s (%,.0f/s)", what, count, done / seconds);
    }
}
