package io.tally.worker.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.tools.jdbc.MockConnection;
import org.jooq.tools.jdbc.MockResult;
import org.junit.jupiter.api.Test;

class LedgerPartitionsTest {

    static final Instant NOW = Instant.parse("2026-05-14T10:00:00Z");

    @Test
    void shouldDropOnlyTheMonthsEndedBeforeTheRetentionAndCreateTwoAhead() {
        // given: the table from before partitioning (to March) and March to July
        var partitions = List.of(
                new LedgerPartitions.Partition("command_ledger_before_partitioning", null, start(2026, 3)),
                month(2026, 3),
                month(2026, 4),
                month(2026, 5),
                month(2026, 6));

        // when: 60 days of retention on 14 May: the horizon is 15 March
        var plan = LedgerPartitions.plan(partitions, NOW, Duration.ofDays(60));

        // then: March is kept (it ends after the horizon), July is created
        assertThat(plan.dropped()).containsExactly("command_ledger_before_partitioning");
        assertThat(plan.created()).containsExactly(YearMonth.of(2026, 7));
        assertThat(plan.kept().from()).isEqualTo(start(2026, 3));
        assertThat(plan.kept().until()).isEqualTo(start(2026, 8));
    }

    @Test
    void shouldKeepEverythingFromTheStartWhileTheTableFromBeforePartitioningIsThere() {
        // given
        var partitions = List.of(
                new LedgerPartitions.Partition("command_ledger_before_partitioning", null, start(2026, 6)),
                month(2026, 6),
                month(2026, 7));

        // when: no retention
        var plan = LedgerPartitions.plan(partitions, NOW, null);

        // then
        assertThat(plan.dropped()).isEmpty();
        assertThat(plan.created()).isEmpty();
        assertThat(plan.kept().from()).isNull();
    }

    @Test
    void shouldCreateTheMonthsMissingSinceTheLastOneWithoutAGapAfterALongOutage() {
        // given: the worker last ran in January; retention 30 days
        var partitions = List.of(month(2026, 1), month(2026, 2), month(2026, 3));

        // when
        var plan = LedgerPartitions.plan(partitions, NOW, Duration.ofDays(30));

        // then: the three old months go, April to July come, one unbroken range from April
        assertThat(plan.dropped())
                .containsExactly("command_ledger_2026_01", "command_ledger_2026_02", "command_ledger_2026_03");
        assertThat(plan.created())
                .containsExactly(
                        YearMonth.of(2026, 4), YearMonth.of(2026, 5), YearMonth.of(2026, 6), YearMonth.of(2026, 7));
        assertThat(plan.kept().from()).isEqualTo(start(2026, 4));
    }

    @Test
    void shouldBackOffFromTheFirstRetryToTheHour() {
        // given
        Duration first = Duration.ofMinutes(1);

        // when / then
        assertThat(LedgerPartitions.delayAfter(0, first)).isEqualTo(Duration.ofHours(1));
        assertThat(LedgerPartitions.delayAfter(1, first)).isEqualTo(Duration.ofMinutes(1));
        assertThat(LedgerPartitions.delayAfter(2, first)).isEqualTo(Duration.ofMinutes(2));
        assertThat(LedgerPartitions.delayAfter(6, first)).isEqualTo(Duration.ofMinutes(32));
        assertThat(LedgerPartitions.delayAfter(7, first)).isEqualTo(Duration.ofHours(1));
        assertThat(LedgerPartitions.delayAfter(Integer.MAX_VALUE, first)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldRefuseALockTimeoutThatWouldSwitchItOff() {
        assertThatThrownBy(
                        () -> new LedgerPartitions(null, null, Clock.systemUTC(), Duration.ZERO, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldLimitLockWaitsInEveryTransactionAndRetrySoonAfterALockTimeout() throws Exception {
        // given: a database whose first two attempts to drop a month time out waiting for the ledger's lock
        var database = new FakeDatabase(2);
        var partitions = new LedgerPartitions(
                database.dsl(),
                Duration.ofDays(30),
                Clock.fixed(NOW, ZoneOffset.UTC),
                Duration.ofMillis(1500),
                Duration.ofMillis(20));

        // when: started (the months there reach to August, so the failure does not stop the worker)
        try (partitions) {
            partitions.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (database.drops.get() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }

        // then: every transaction began by limiting its lock waits, the third attempt dropped, keptFrom moved
        assertThat(database.attempts.get()).isEqualTo(3);
        assertThat(database.drops.get()).isEqualTo(1);
        assertThat(database.transactionsStarted.get()).isPositive();
        assertThat(database.firstStatements).allMatch(sql -> sql.equals("set local lock_timeout = 1500"));
        assertThat(database.firstStatements).hasSize(database.transactionsStarted.get());
        assertThat(partitions.keptFrom()).isEqualTo(start(2026, 4));
    }

    @Test
    void shouldNotStartWhenTheFirstRunFailsForAnythingButALock() {
        // given
        var database = new FakeDatabase(0);
        database.failDropsWith = "42501";
        var partitions = new LedgerPartitions(database.dsl(), Duration.ofDays(30), Clock.fixed(NOW, ZoneOffset.UTC));

        // when / then
        try (partitions) {
            assertThatThrownBy(partitions::start).isInstanceOf(DataAccessException.class);
        }
    }

    /** Answers the statements of {@link LedgerPartitions} as PostgreSQL would, months March to July present. */
    static final class FakeDatabase {
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger drops = new AtomicInteger();
        final AtomicInteger transactionsStarted = new AtomicInteger();
        final List<String> firstStatements = new CopyOnWriteArrayList<>();
        final int lockTimeouts;
        volatile String failDropsWith = "55P03";
        private volatile boolean inTransaction;

        FakeDatabase(int lockTimeouts) {
            this.lockTimeouts = lockTimeouts;
        }

        DSLContext dsl() {
            var connection =
                    new MockConnection(context -> {
                        String sql = context.sql();
                        if (!inTransaction) {
                            inTransaction = true;
                            transactionsStarted.incrementAndGet();
                            firstStatements.add(sql);
                        }
                        DSLContext create = DSL.using(SQLDialect.POSTGRES);
                        if (sql.contains("pg_inherits")) {
                            var name = DSL.field("name", String.class);
                            var lower = DSL.field("lower_bound", OffsetDateTime.class);
                            var upper = DSL.field("upper_bound", OffsetDateTime.class);
                            var result = create.newResult(name, lower, upper);
                            for (int month = 3; month <= 7; month++) {
                                var record = create.newRecord(name, lower, upper);
                                record.values(
                                        "command_ledger_2026_0" + month,
                                        start(2026, month).atOffset(ZoneOffset.UTC),
                                        start(2026, month + 1).atOffset(ZoneOffset.UTC));
                                result.add(record);
                            }
                            return new MockResult[] {new MockResult(result.size(), result)};
                        }
                        if (sql.startsWith("select pg_advisory_xact_lock")) {
                            var lock = DSL.field("pg_advisory_xact_lock", String.class);
                            var result = create.newResult(lock);
                            result.add(create.newRecord(lock).values(""));
                            return new MockResult[] {new MockResult(1, result)};
                        }
                        if (sql.startsWith("drop table")) {
                            int attempt = attempts.incrementAndGet();
                            if (attempt <= lockTimeouts || !"55P03".equals(failDropsWith)) {
                                throw "55P03".equals(failDropsWith)
                                        ? new SQLException("canceling statement due to lock timeout", "55P03")
                                        : new SQLException("must be owner of table", failDropsWith);
                            }
                            drops.incrementAndGet();
                        }
                        return new MockResult[] {new MockResult(0)};
                    }) {
                        @Override
                        public void commit() {
                            inTransaction = false;
                        }

                        @Override
                        public void rollback() {
                            inTransaction = false;
                        }
                    };
            return DSL.using(connection, SQLDialect.POSTGRES);
        }
    }

    private static LedgerPartitions.Partition month(int year, int month) {
        return new LedgerPartitions.Partition(
                LedgerPartitions.partitionName(YearMonth.of(year, month)), start(year, month), start(year, month + 1));
    }

    private static Instant start(int year, int month) {
        return YearMonth.of(year, 1)
                .plusMonths(month - 1)
                .atDay(1)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC);
    }
}
