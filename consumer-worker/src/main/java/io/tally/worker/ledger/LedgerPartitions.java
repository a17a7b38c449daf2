package io.tally.worker.ledger;

import static io.tally.worker.db.Tables.IDEMPOTENCY_KEY;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the ledger's monthly partitions (migration V6, ADR 17): creates the months ahead so that a command is never
 * refused for lack of one, and, with a retention, drops the months entirely older than it, with the Idempotency-Keys
 * of that age.
 *
 * <p>Idempotent and safe to run from several workers at once: each run holds a PostgreSQL advisory lock for its
 * transaction. {@link #start} runs it at once and then every hour on a daemon thread.
 *
 * <p>It never holds up the pipeline for long. Creating or dropping a partition needs an ACCESS EXCLUSIVE lock on
 * {@code command_ledger}, and while that lock is waited for, every batch that reads or writes the ledger queues
 * behind it; so each maintenance transaction runs with {@code SET LOCAL lock_timeout} ({@link #LOCK_TIMEOUT} unless
 * told otherwise) and gives up instead of waiting for a long query, a backup or another worker's run. A failed run
 * (lock timeout or otherwise) is logged and tried again soon: after {@link #FIRST_RETRY}, then twice as long after
 * each further failure, up to the hourly period. Two months are created ahead, so runs can fail for weeks before a
 * month is missing. The idempotency keys are deleted before any partition is touched, so the strong lock, once
 * granted, is held only for the DDL and the commit.
 *
 * <p>{@link #keptFrom()} tells the listener, per command and without a query, whether a command's month is still
 * there.
 */
public final class LedgerPartitions implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(LedgerPartitions.class);

    /** Months created ahead of the current one. */
    static final int MONTHS_AHEAD = 2;

    /** How long a maintenance transaction waits for a lock (the ledger's, the advisory one, a row's) before failing. */
    public static final Duration LOCK_TIMEOUT = Duration.ofSeconds(1);

    /** The delay before the first retry of a failed run; it doubles with each further failure, up to {@link #PERIOD}. */
    public static final Duration FIRST_RETRY = Duration.ofMinutes(1);

    /** Between two successful runs. */
    static final Duration PERIOD = Duration.ofHours(1);

    /** At start, a failed run is tolerated only while the months already there reach at least this far ahead. */
    static final Duration START_MARGIN = Duration.ofDays(1);

    /** PostgreSQL's lock_not_available: a lock not granted within lock_timeout. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private static final long LOCK = 0x7a11e_1ed9e7L;

    private final DSLContext dsl;
    private final Duration retention;
    private final Clock clock;
    private final Duration lockTimeout;
    private final Duration firstRetry;
    private ScheduledExecutorService schedule;

    /** What the catalog said at the last run (or after a failed one): {@code null} until one could read it. */
    private volatile Kept kept;

    /** @param retention how long ledger rows are kept, or {@code null} to keep them forever */
    public LedgerPartitions(DSLContext dsl, Duration retention, Clock clock) {
        this(dsl, retention, clock, LOCK_TIMEOUT, FIRST_RETRY);
    }

    /**
     * @param retention how long ledger rows are kept, or {@code null} to keep them forever
     * @param lockTimeout how long a maintenance transaction may wait for a lock (at least a millisecond)
     * @param firstRetry the delay before retrying a failed run (doubling after each further failure, up to an hour)
     */
    public LedgerPartitions(
            DSLContext dsl, Duration retention, Clock clock, Duration lockTimeout, Duration firstRetry) {
        if (lockTimeout.toMillis() < 1) {
            // 0 would switch the timeout off.
            throw new IllegalArgumentException("lockTimeout must be at least 1 ms, was " + lockTimeout);
        }
        if (firstRetry.isNegative() || firstRetry.isZero() || firstRetry.compareTo(PERIOD) > 0) {
            throw new IllegalArgumentException(
                    "firstRetry must be positive and at most " + PERIOD + ", was " + firstRetry);
        }
        this.dsl = dsl;
        this.retention = retention;
        this.clock = clock;
        this.lockTimeout = lockTimeout;
        this.firstRetry = firstRetry;
    }

    /**
     * Maintains the partitions now, then hourly (sooner after a failure). A failed first run stops the worker from
     * starting (it must not consume without its months), unless it failed for a lock not granted in time and the
     * months already there reach past tomorrow: then the run is retried in the background.
     */
    public synchronized void start() {
        Instant now = clock.instant();
        int failures = 0;
        try {
            maintain(now);
        } catch (RuntimeException e) {
            Kept known = kept;
            if (!isLockTimeout(e)
                    || known == null
                    || known.until() == null
                    || !known.until().isAfter(now.plus(START_MARGIN))) {
                throw e;
            }
            failures = 1;
            LOGGER.warn(
                    "Ledger partition maintenance failed at start; the months up to {} are there, so the worker"
                            + " starts and retries in {}: {}",
                    known.until(),
                    delayAfter(failures, firstRetry),
                    describe(e));
        }
        schedule = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("tally-ledger-partitions").daemon(true).factory());
        scheduleRun(schedule, failures);
    }

    @Override
    public synchronized void close() {
        if (schedule != null) {
            schedule.shutdownNow();
            schedule = null;
        }
    }

    /** What one run did, and the {@link #keptFrom()} it left. */
    public record Maintenance(
            List<String> created, List<String> dropped, int idempotencyKeysDeleted, Instant keptFrom) {}

    /**
     * {@code now} minus the retention, or {@code null} without retention: a month is dropped when it ended at or
     * before it, with the Idempotency-Keys created before it. Whether a command's ledger row can still be found is
     * {@link #keptFrom()}'s to say, not this.
     */
    public Instant horizon(Instant now) {
        return retention == null ? null : now.minus(retention);
    }

    /**
     * The start of the oldest month partition of the ledger still there, as of this worker's last maintenance run
     * (successful or not), or {@code null} when no month was ever dropped (the oldest partition, the table from
     * before partitioning, reaches back without limit) or no run could read the catalog yet. A command accepted
     * before it is in a month that was dropped: its ledger row, if it was applied, went with it, so it must not be
     * applied again (it could count twice), nor could its row be written. A command accepted at or after it has its
     * month, however long ago it was accepted: a worker outage longer than the retention does not turn commands
     * already answered 202 into dead letters, unless their month was dropped in the meantime.
     *
     * <p>A volatile read, cheap enough for every command. It can be late: it is as old as this worker's last run (up to
     * an hour), and another worker may have dropped a month since. A command of that month then passes the check, and
     * writing its ledger row fails in PostgreSQL ({@code no partition of relation "command_ledger" found for row}),
     * which rolls its batch back; the batch is retried, and once this worker's next run (or retry) has refreshed the
     * value, the command is refused. The same holds, for a moment, for this worker's own run: the value moves after
     * its drops commit, never before (a stale value is never too high: it refuses nothing still kept).
     */
    public Instant keptFrom() {
        Kept known = kept;
        return known == null ? null : known.from();
    }

    /**
     * One maintenance run, in one transaction under {@code lock_timeout}: drops the months entirely older than
     * {@link #horizon}, deletes the Idempotency-Keys created before it, creates the months up to
     * {@value #MONTHS_AHEAD} ahead, and refreshes {@link #keptFrom()}. On failure nothing is changed, {@link
     * #keptFrom()} is refreshed from the catalog if it can be read, and the exception is thrown.
     */
    public Maintenance maintain(Instant now) {
        Run run;
        try {
            run = dsl.transactionResult(configuration -> {
                DSLContext tx = configuration.dsl();
                limitLockWaits(tx);
                tx.fetch("select pg_advisory_xact_lock(?)", LOCK);
                Plan planned = plan(partitions(tx), now, retention);
                int keys = 0;
                Instant horizon = horizon(now);
                if (horizon != null) {
                    // Before the DDL: the ledger's lock, once granted, is held only for the DDL and the commit.
                    keys = tx.deleteFrom(IDEMPOTENCY_KEY)
                            .where(IDEMPOTENCY_KEY.CREATED_AT.lt(horizon.atOffset(ZoneOffset.UTC)))
                            .execute();
                }
                for (String name : planned.dropped()) {
                    tx.execute("drop table " + DSL.name(name));
                }
                for (YearMonth month : planned.created()) {
                    tx.execute(
                            "create table " + DSL.name(partitionName(month))
                                    + " partition of command_ledger for values from ({0}) to ({1})",
                            DSL.inline(start(month)),
                            DSL.inline(start(month.plusMonths(1))));
                }
                return new Run(planned, keys);
            });
        } catch (RuntimeException e) {
            try {
                refresh();
            } catch (RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        kept = run.plan().kept();
        Maintenance done = new Maintenance(
                run.plan().created().stream()
                        .map(LedgerPartitions::partitionName)
                        .toList(),
                run.plan().dropped(),
                run.idempotencyKeysDeleted(),
                run.plan().kept().from());
        if (!done.created().isEmpty() || !done.dropped().isEmpty() || done.idempotencyKeysDeleted() > 0) {
            LOGGER.info(
                    "Ledger partitions: created {}, dropped {} (retention {}), {} Idempotency-Keys deleted;"
                            + " ledger kept from {}",
                    done.created(),
                    done.dropped(),
                    retention == null ? "none" : retention,
                    done.idempotencyKeysDeleted(),
                    done.keptFrom() == null ? "the start" : done.keptFrom());
        }
        return done;
    }

    /** After a failed run: what is there now (another worker may have dropped months), read under the timeout. */
    private void refresh() {
        kept = dsl.transactionResult(configuration -> {
            DSLContext tx = configuration.dsl();
            limitLockWaits(tx);
            return kept(partitions(tx));
        });
    }

    private void limitLockWaits(DSLContext tx) {
        // SET takes no bind parameters; the value is a number of milliseconds.
        tx.execute("set local lock_timeout = " + lockTimeout.toMillis());
    }

    private void scheduleRun(ScheduledExecutorService executor, int failures) {
        try {
            executor.schedule(
                    () -> run(executor, failures),
                    delayAfter(failures, firstRetry).toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // close() was called.
        }
    }

    private void run(ScheduledExecutorService executor, int failuresBefore) {
        int failures = 0;
        try {
            maintain(clock.instant());
        } catch (RuntimeException e) {
            failures = failuresBefore + 1;
            LOGGER.warn(
                    "Ledger partition maintenance failed ({} in a row); retrying in {}: {}",
                    failures,
                    delayAfter(failures, firstRetry),
                    describe(e));
        }
        scheduleRun(executor, failures);
    }

    /** The delay before the next run after this many failures in a row: the period after none. */
    static Duration delayAfter(int failures, Duration firstRetry) {
        if (failures <= 0) {
            return PERIOD;
        }
        Duration delay = firstRetry;
        for (int i = 1; i < failures && delay.compareTo(PERIOD) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(PERIOD) < 0 ? delay : PERIOD;
    }

    /** Whether PostgreSQL gave up waiting for a lock ({@code lock_timeout}), wherever the SQLException is wrapped. */
    static boolean isLockTimeout(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /** The exception's class and message (SQL and PostgreSQL's words, no credentials), and what a lock timeout means. */
    private String describe(RuntimeException e) {
        if (isLockTimeout(e)) {
            return "a lock was not granted within " + lockTimeout + " (command_ledger in use by a long transaction,"
                    + " or another worker's run): " + e;
        }
        return e.toString();
    }

    /** A partition of the ledger: accepted-at from {@code from} (null: no lower bound) to {@code to} (null: none). */
    record Partition(String name, Instant from, Instant to) {}

    /** The range the ledger's partitions cover: from {@code from} (null: no lower bound) to {@code until}. */
    record Kept(Instant from, Instant until) {}

    /** A run's decisions, and the partitions they leave. */
    record Plan(List<String> dropped, List<YearMonth> created, Kept kept) {}

    private record Run(Plan plan, int idempotencyKeysDeleted) {}

    /**
     * Drops the months that ended at or before {@code now - retention}, and creates the months from the end of the
     * last one up to {@value #MONTHS_AHEAD} ahead of {@code now}'s, so the partitions stay one unbroken range.
     */
    static Plan plan(List<Partition> partitions, Instant now, Duration retention) {
        Instant horizon = retention == null ? null : now.minus(retention);
        List<Partition> sorted = new ArrayList<>(partitions);
        sorted.sort(Comparator.comparing(Partition::to, Comparator.nullsLast(Comparator.naturalOrder())));
        List<String> dropped = new ArrayList<>();
        List<Partition> left = new ArrayList<>();
        Instant lastBound = null;
        boolean unboundedAbove = false;
        for (Partition partition : sorted) {
            if (partition.to() == null) {
                unboundedAbove = true;
                left.add(partition);
                continue;
            }
            if (lastBound == null || partition.to().isAfter(lastBound)) {
                lastBound = partition.to();
            }
            if (horizon != null && !partition.to().isAfter(horizon)) {
                dropped.add(partition.name());
            } else {
                left.add(partition);
            }
        }
        List<YearMonth> created = new ArrayList<>();
        if (!unboundedAbove) {
            YearMonth last = YearMonth.from(now.atOffset(ZoneOffset.UTC)).plusMonths(MONTHS_AHEAD);
            YearMonth month = YearMonth.from((lastBound == null ? now : lastBound).atOffset(ZoneOffset.UTC));
            for (; !month.isAfter(last); month = month.plusMonths(1)) {
                created.add(month);
                left.add(new Partition(
                        partitionName(month),
                        start(month).toInstant(),
                        start(month.plusMonths(1)).toInstant()));
            }
        }
        return new Plan(List.copyOf(dropped), List.copyOf(created), kept(left));
    }

    /** The lower bound of the oldest partition (null if one has none, or there are none) and the highest bound. */
    static Kept kept(List<Partition> partitions) {
        Instant from = null;
        Instant until = null;
        boolean unboundedBelow = partitions.isEmpty();
        boolean unboundedAbove = false;
        for (Partition partition : partitions) {
            if (partition.from() == null) {
                unboundedBelow = true;
            } else if (from == null || partition.from().isBefore(from)) {
                from = partition.from();
            }
            if (partition.to() == null) {
                unboundedAbove = true;
            } else if (until == null || partition.to().isAfter(until)) {
                until = partition.to();
            }
        }
        return new Kept(unboundedBelow ? null : from, unboundedAbove ? Instant.MAX : until);
    }

    /** The ledger's partitions with their bounds, from the catalog (no lock on the ledger). */
    private static List<Partition> partitions(DSLContext tx) {
        List<Partition> partitions = new ArrayList<>();
        for (var row : tx.fetch("""
                select c.relname as name,
                       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz
                           as lower_bound,
                       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz
                           as upper_bound
                from pg_inherits i join pg_class c on c.oid = i.inhrelid
                where i.inhparent = 'command_ledger'::regclass
                """)) {
            OffsetDateTime lower = row.get("lower_bound", OffsetDateTime.class);
            OffsetDateTime upper = row.get("upper_bound", OffsetDateTime.class);
            partitions.add(new Partition(
                    row.get("name", String.class),
                    lower == null ? null : lower.toInstant(),
                    upper == null ? null : upper.toInstant()));
        }
        return partitions;
    }

    static String partitionName(YearMonth month) {
        return "command_ledger_" + month.toString().replace("-", "_");
    }

    private static OffsetDateTime start(YearMonth month) {
        return month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
    }
}
