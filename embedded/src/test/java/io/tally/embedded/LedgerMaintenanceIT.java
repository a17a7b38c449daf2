package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.tally.testsupport.TestInfrastructure;
import io.tally.worker.WorkerDatabase;
import io.tally.worker.ledger.LedgerPartitions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ledger maintenance on a real PostgreSQL never holds the pipeline up for long: a run that cannot get the ledger's
 * lock (a batch in flight, a long query) gives up after its {@code lock_timeout} instead of queueing the next
 * batches behind its lock request, changes nothing, and is retried soon; {@code keptFrom()} follows the months
 * dropped.
 */
class LedgerMaintenanceIT {

    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(1);

    static TestInfrastructure infra;

    @BeforeAll
    static void start() {
        infra = TestInfrastructure.get();
    }

    @Test
    void shouldGiveUpWithinTheLockTimeoutWithoutQueueingBatchesAndSucceedOnceTheLockIsFree() throws Exception {
        // given: a batch in flight, holding its lock on command_ledger, and a run that must drop this month
        DataSource dataSource = Database.migrated(infra, "ledger_maintenance_lock_it");
        var partitions = new LedgerPartitions(
                WorkerDatabase.dsl(dataSource),
                Duration.ofDays(60),
                Clock.systemUTC(),
                LOCK_TIMEOUT,
                LedgerPartitions.FIRST_RETRY);
        Instant inFourMonths = Instant.now().plus(Duration.ofDays(120));
        List<String> before = partitions(dataSource);
        try (Connection batchInFlight = dataSource.getConnection()) {
            batchInFlight.setAutoCommit(false);
            insertLedgerRow(batchInFlight);

            // when: maintained meanwhile, and the next batch writes while the run waits for its lock
            long started = System.nanoTime();
            var run = CompletableFuture.supplyAsync(() -> partitions.maintain(inFourMonths));
            Thread.sleep(300);
            long nextBatchStarted = System.nanoTime();
            try (Connection nextBatch = dataSource.getConnection()) {
                // Without the run's lock_timeout this would wait for the batch in flight: fail instead of hanging.
                nextBatch.createStatement().execute("set lock_timeout = '10s'");
                insertLedgerRow(nextBatch);
            } catch (SQLException e) {
                fail("the next batch queued behind the maintenance's lock request for 10 s: " + e.getMessage());
            }
            Duration nextBatchWaited = Duration.ofNanos(System.nanoTime() - nextBatchStarted);
            Throwable failure = null;
            try {
                run.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failure = e.getCause();
            } catch (TimeoutException e) {
                fail("maintenance still waiting for the ledger's lock after 10 s: no lock_timeout");
            }
            Duration runTook = Duration.ofNanos(System.nanoTime() - started);

            // then: the run failed for the lock, about a lock timeout later, and the next batch waited no longer
            assertThat(failure).as("the run's failure").isNotNull();
            assertThat(sqlState(failure)).as("SQLState of %s", failure).isEqualTo("55P03");
            assertThat(runTook).isBetween(LOCK_TIMEOUT.minusMillis(100), LOCK_TIMEOUT.plusSeconds(4));
            assertThat(nextBatchWaited).isLessThan(LOCK_TIMEOUT.plusSeconds(4));
            // and it changed nothing
            assertThat(partitions(dataSource)).isEqualTo(before);
            assertThat(partitions.keptFrom()).isNull();
            batchInFlight.commit();
        }

        // when: the batch has committed, the next attempt
        var maintenance = partitions.maintain(inFourMonths);

        // then: it dropped this month, and keptFrom is the start of the oldest month left
        assertThat(maintenance.dropped()).contains("command_ledger_before_partitioning");
        Instant oldestKept = oldestMonthStart(dataSource);
        assertThat(partitions.keptFrom()).isEqualTo(oldestKept).isEqualTo(maintenance.keptFrom());
        assertThat(oldestKept)
                .isEqualTo(monthStart(
                        YearMonth.from(Instant.now().atOffset(ZoneOffset.UTC)).plusMonths(1)));
    }

    @Test
    void shouldStartWhenOnlyALockIsInTheWayAndRetrySoon() throws Exception {
        // given: the months ahead exist, and a batch in flight holds its lock on command_ledger
        DataSource dataSource = Database.migrated(infra, "ledger_maintenance_retry_it");
        new LedgerPartitions(WorkerDatabase.dsl(dataSource), null, Clock.systemUTC()).maintain(Instant.now());
        // 40 days on, with a day of retention, this month must go
        var clock = Clock.offset(Clock.systemUTC(), Duration.ofDays(40));
        var partitions = new LedgerPartitions(
                WorkerDatabase.dsl(dataSource), Duration.ofDays(1), clock, LOCK_TIMEOUT, Duration.ofMillis(200));
        try (partitions;
                Connection batchInFlight = dataSource.getConnection()) {
            batchInFlight.setAutoCommit(false);
            insertLedgerRow(batchInFlight);

            // when: started while the lock is held
            long started = System.nanoTime();
            try {
                CompletableFuture.runAsync(partitions::start).get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("start still waiting for the ledger's lock after 10 s: no lock_timeout");
            }
            Duration startTook = Duration.ofNanos(System.nanoTime() - started);

            // then: it started (its months are there) about a lock timeout later, having changed nothing
            assertThat(startTook).isLessThan(LOCK_TIMEOUT.plusSeconds(4));
            assertThat(partitions(dataSource)).contains("command_ledger_before_partitioning");
            assertThat(partitions.keptFrom()).isNull();

            // and when: the batch commits a little later
            Thread.sleep(1_000);
            batchInFlight.commit();

            // then: a retry, long before the hourly run, dropped the month
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.keptFrom() == null && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(partitions(dataSource)).doesNotContain("command_ledger_before_partitioning");
            assertThat(partitions.keptFrom()).isEqualTo(oldestMonthStart(dataSource));
        }
    }

    private static void insertLedgerRow(Connection connection) throws SQLException {
        connection
                .createStatement()
                .execute("insert into command_ledger (command_id, tenant_id, command_type, outcome, accepted_at,"
                        + " applied_at, kafka_partition, kafka_offset, result) values ('" + UUID.randomUUID()
                        + "', 't', 'ConsumeLicense', 'LicenseConsumed', now(), now(), 0, 0, '{}')");
    }

    private static String sqlState(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    /** The start of the oldest month partition ({@code command_ledger_yyyy_mm}) there. */
    private static Instant oldestMonthStart(DataSource dataSource) throws SQLException {
        String oldest = partitions(dataSource).stream()
                .filter(name -> name.matches("command_ledger_\\d{4}_\\d{2}"))
                .sorted()
                .findFirst()
                .orElseThrow();
        return monthStart(
                YearMonth.parse(oldest.substring("command_ledger_".length()).replace('_', '-')));
    }

    private static Instant monthStart(YearMonth month) {
        return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    private static List<String> partitions(DataSource dataSource) throws SQLException {
        try (var connection = dataSource.getConnection();
                var rows = connection
                        .createStatement()
                        .executeQuery("select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
                                + " where i.inhparent = 'command_ledger'::regclass order by 1")) {
            var names = new ArrayList<String>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            return names;
        }
    }
}
