package io.tally.worker.ledger;

import static io.tally.worker.db.Tables.IDEMPOTENCY_KEY;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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
 * transaction. {@link #start} runs it at once and then every hour on a daemon thread; a failed run is logged and
 * tried again the next hour (two months are created ahead, so runs can fail for weeks before a month is missing).
 */
public final class LedgerPartitions implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(LedgerPartitions.class);

    /** Months created ahead of the current one. */
    static final int MONTHS_AHEAD = 2;

    private static final long LOCK = 0x7a11e_1ed9e7L;

    private final DSLContext dsl;
    private final Duration retention;
    private final java.time.Clock clock;
    private java.util.concurrent.ScheduledExecutorService schedule;

    /** @param retention how long ledger rows are kept, or {@code null} to keep them forever */
    public LedgerPartitions(DSLContext dsl, Duration retention, java.time.Clock clock) {
        this.dsl = dsl;
        this.retention = retention;
        this.clock = clock;
    }

    /** Maintains the partitions now (failing if it cannot: the worker must not start without them), then hourly. */
    public synchronized void start() {
        maintain(clock.instant());
        schedule = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("tally-ledger-partitions").daemon(true).factory());
        schedule.scheduleWithFixedDelay(
                () -> {
                    try {
                        maintain(clock.instant());
                    } catch (RuntimeException e) {
                        LOGGER.warn("Ledger partition maintenance failed; retrying in an hour: {}", e.toString());
                    }
                },
                1,
                1,
                java.util.concurrent.TimeUnit.HOURS);
    }

    @Override
    public synchronized void close() {
        if (schedule != null) {
            schedule.shutdownNow();
            schedule = null;
        }
    }

    /** What one run did. */
    public record Maintenance(List<String> created, List<String> dropped, int idempotencyKeysDeleted) {}

    /** The oldest accepted-at whose ledger row is certainly kept at {@code now}, or {@code null} without retention. */
    public Instant horizon(Instant now) {
        return retention == null ? null : now.minus(retention);
    }

    public Maintenance maintain(Instant now) {
        return dsl.transactionResult(configuration -> {
            DSLContext tx = configuration.dsl();
            tx.fetch("select pg_advisory_xact_lock(?)", LOCK);
            List<String> created = new ArrayList<>();
            List<String> dropped = new ArrayList<>();
            OffsetDateTime lastBound = null;
            for (var partition : tx.fetch("""
                    select c.relname as name,
                           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz
                               as upper_bound
                    from pg_inherits i join pg_class c on c.oid = i.inhrelid
                    where i.inhparent = 'command_ledger'::regclass
                    """)) {
                OffsetDateTime upper = partition.get("upper_bound", OffsetDateTime.class);
                if (upper == null) {
                    continue;
                }
                if (lastBound == null || upper.isAfter(lastBound)) {
                    lastBound = upper;
                }
                Instant horizon = horizon(now);
                if (horizon != null && !upper.toInstant().isAfter(horizon)) {
                    String name = partition.get("name", String.class);
                    tx.execute("drop table " + DSL.name(name));
                    dropped.add(name);
                }
            }
            YearMonth last = YearMonth.from(now.atOffset(ZoneOffset.UTC)).plusMonths(MONTHS_AHEAD);
            YearMonth month = lastBound == null
                    ? YearMonth.from(now.atOffset(ZoneOffset.UTC))
                    : YearMonth.from(lastBound.withOffsetSameInstant(ZoneOffset.UTC));
            for (; !month.isAfter(last); month = month.plusMonths(1)) {
                String name = "command_ledger_" + month.toString().replace("-", "_");
                tx.execute(
                        "create table " + DSL.name(name)
                                + " partition of command_ledger for values from ({0}) to ({1})",
                        DSL.inline(start(month)),
                        DSL.inline(start(month.plusMonths(1))));
                created.add(name);
            }
            int keys = 0;
            Instant horizon = horizon(now);
            if (horizon != null) {
                keys = tx.deleteFrom(IDEMPOTENCY_KEY)
                        .where(IDEMPOTENCY_KEY.CREATED_AT.lt(horizon.atOffset(ZoneOffset.UTC)))
                        .execute();
            }
            if (!created.isEmpty() || !dropped.isEmpty() || keys > 0) {
                LOGGER.info(
                        "Ledger partitions: created {}, dropped {} (retention {}), {} Idempotency-Keys deleted",
                        created,
                        dropped,
                        retention == null ? "none" : retention,
                        keys);
            }
            return new Maintenance(List.copyOf(created), List.copyOf(dropped), keys);
        });
    }

    private static OffsetDateTime start(YearMonth month) {
        return month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
    }
}
