package io.tally.gateway.status;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.AtomicHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last minute of calls, second by second, for the status page.
 *
 * <p>{@link #record} is called by every request thread at once and never blocks: it adds to the current second's
 * counters inside a {@link WriterReaderPhaser} critical section. Once a second {@link #seal} swaps in fresh counters
 * and waits for the calls still writing to the old ones, so every call is counted in exactly one second, and turns the
 * old ones into an immutable {@link SecondOfCalls}. Memory is bounded whatever the traffic: at most
 * {@link #LICENSES_PER_SECOND} licenses are told apart in one second (calls naming others still count in the
 * totals), at most {@link #KEPT_PER_SECOND} of them are kept per sealed second, and {@link StatusView#THROUGHPUT_SECONDS}
 * seconds are kept.
 *
 * <p>Thread-safe. {@link #start} seals once a second on a daemon thread of its own; {@link #close} stops it.
 */
public final class LiveStatus implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(LiveStatus.class);

    /** Distinct licenses counted in one second; a burst over more licenses still counts every call. */
    static final int LICENSES_PER_SECOND = 10_000;

    /** Licenses kept per sealed second: far more than shown, so the busiest over ten seconds are rarely missed. */
    static final int KEPT_PER_SECOND = 100;

    private final Clock clock;
    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private volatile Accumulator active;
    private Accumulator inactive;
    private final ArrayDeque<SecondOfCalls> sealed = new ArrayDeque<>();
    private ScheduledExecutorService ticker;

    public LiveStatus(Clock clock) {
        this.clock = clock;
        this.active = new Accumulator(clock.millis() / 1_000);
        this.inactive = new Accumulator(0);
    }

    /** Seals a second every second, on the second, until {@link #close}. */
    public synchronized void start() {
        if (ticker != null) {
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("tally-status").daemon(true).factory());
        long untilNextSecond = 1_000 - clock.millis() % 1_000;
        ticker.scheduleAtFixedRate(this::sealOnTheClock, untilNextSecond, 1_000, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
    }

    /**
     * Counts one answered call.
     *
     * @param status the HTTP status it was answered with
     * @param latencyNanos from its arrival to its answer
     * @param license the license it named ({@link LicenseLabel}), or {@code null} when it named none
     */
    public void record(int status, long latencyNanos, String license) {
        long token = phaser.writerCriticalSectionEnter();
        try {
            active.add(status, latencyNanos, license);
        } finally {
            phaser.writerCriticalSectionExit(token);
        }
    }

    /** The status page's view: the seconds sealed so far, up to the latest. */
    public StatusView view() {
        List<SecondOfCalls> seconds;
        synchronized (sealed) {
            seconds = new ArrayList<>(sealed);
        }
        long latest = seconds.isEmpty()
                ? clock.millis() / 1_000 - 1
                : seconds.getLast().second();
        return StatusView.of(seconds, latest);
    }

    private void sealOnTheClock() {
        try {
            seal(clock.millis() / 1_000);
        } catch (RuntimeException e) {
            // A failure must not end the ticker (the page would freeze); the next second tries again.
            LOGGER.warn("Could not seal a second of the status page", e);
        }
    }

    /**
     * Ends the second being counted and starts {@code nextSecond}; does nothing unless {@code nextSecond} is later than
     * the second being counted. A late tick (a starved ticker catching up runs twice at once) thus never labels two
     * sealed seconds alike: the second being counted spans the delay, the skipped one shows no calls. Called by the
     * ticker; by tests directly. Not to be called by two threads at once.
     */
    void seal(long nextSecond) {
        if (nextSecond <= active.second) {
            return;
        }
        Accumulator ended;
        phaser.readerLock();
        try {
            inactive.reset(nextSecond);
            ended = active;
            active = inactive;
            // Returns once every record() that could still see the old accumulator has left it.
            phaser.flipPhase();
        } finally {
            phaser.readerUnlock();
        }
        SecondOfCalls second = ended.toSecond();
        inactive = ended;
        synchronized (sealed) {
            sealed.addLast(second);
            while (sealed.size() > StatusView.THROUGHPUT_SECONDS) {
                sealed.removeFirst();
            }
        }
    }

    /** The counters of the second being recorded. Written by many threads at once, read only once sealed. */
    private static final class Accumulator {

        private long second;
        private final LongAdder succeeded = new LongAdder();
        private final LongAdder refused = new LongAdder();
        private final LongAdder throttled = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final AtomicHistogram latencies =
                new AtomicHistogram(1, SecondOfCalls.HIGHEST_LATENCY_MICROS, SecondOfCalls.LATENCY_DIGITS);
        private final ConcurrentHashMap<String, LicenseCounters> licenses = new ConcurrentHashMap<>();
        private final AtomicInteger licensesSeen = new AtomicInteger();

        Accumulator(long second) {
            this.second = second;
        }

        void add(int status, long latencyNanos, String license) {
            boolean ok = status < 300;
            if (status == 429) {
                throttled.increment();
            } else {
                if (status >= 500) {
                    failed.increment();
                } else if (status >= 400) {
                    refused.increment();
                } else {
                    succeeded.increment();
                }
                latencies.recordValue(Math.clamp(latencyNanos / 1_000, 1, SecondOfCalls.HIGHEST_LATENCY_MICROS));
            }
            if (license != null) {
                LicenseCounters counters = licenses.get(license);
                if (counters == null && licensesSeen.get() < LICENSES_PER_SECOND) {
                    counters = licenses.computeIfAbsent(license, ignored -> {
                        licensesSeen.incrementAndGet();
                        return new LicenseCounters();
                    });
                }
                if (counters != null) {
                    counters.calls.increment();
                    if (ok) {
                        counters.succeeded.increment();
                    }
                }
            }
        }

        SecondOfCalls toSecond() {
            Histogram copy = SecondOfCalls.emptyLatencies();
            copy.add(latencies);
            List<LicenseCalls> busiest = licenses.entrySet().stream()
                    .map(entry -> new LicenseCalls(
                            entry.getKey(),
                            entry.getValue().calls.sum(),
                            entry.getValue().succeeded.sum()))
                    .sorted(StatusView.MOST_CALLS_FIRST)
                    .limit(KEPT_PER_SECOND)
                    .toList();
            return new SecondOfCalls(
                    second,
                    new CallCounts(succeeded.sum(), refused.sum(), throttled.sum(), failed.sum()),
                    copy,
                    busiest);
        }

        void reset(long nextSecond) {
            second = nextSecond;
            succeeded.reset();
            refused.reset();
            throttled.reset();
            failed.reset();
            latencies.reset();
            licenses.clear();
            licensesSeen.set(0);
        }
    }

    private static final class LicenseCounters {
        final LongAdder calls = new LongAdder();
        final LongAdder succeeded = new LongAdder();
    }
}
