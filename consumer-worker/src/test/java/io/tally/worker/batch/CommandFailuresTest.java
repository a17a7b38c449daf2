package io.tally.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.protocol.RejectionType;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandFailuresTest {

    @ParameterizedTest(name = "SQLState {0}: transient {1}")
    @CsvSource({
        "08006, true", // connection failure
        "08001, true",
        "40001, true", // serialization failure
        "40P01, true", // deadlock
        "53300, true", // too many connections
        "57P01, true", // admin shutdown
        "55P03, true", // lock not available
        "22021, false", // invalid byte sequence (a NUL in jsonb)
        "22008, false", // datetime field overflow
        "23505, false", // unique violation
        "23514, false", // check violation, or no ledger partition for the row
        "57014, false", // statement timeout: the same command takes as long again
        "P0001, false", // raise exception in a trigger
        "XX000, false",
        "42501, true", // insufficient privilege: a grant revoked, not the command's doing
        "25006, true", // read-only transaction: a failover in progress
        "0A000, true"
    })
    void shouldClassifyDatabaseFailuresBySqlState(String state, boolean transientFailure) {
        // given: as jOOQ hands it on, wrapped
        var failure = new org.jooq.exception.DataAccessException("SQL [insert ...]", new SQLException("boom", state));

        // when / then
        assertThat(CommandFailures.isTransient(failure)).isEqualTo(transientFailure);
    }

    @Test
    void shouldTreatAnExhaustedPoolAndBrokerTimeoutsAsTransient() {
        assertThat(CommandFailures.isTransient(new RuntimeException(new SQLTransientConnectionException("no conn"))))
                .isTrue();
        assertThat(CommandFailures.isTransient(
                        new org.apache.kafka.common.errors.TimeoutException("metadata not available")))
                .isTrue();
        assertThat(CommandFailures.isTransient(new NullPointerException())).isFalse();
    }

    @Test
    void shouldTreatAClosedPoolAsTransientAndDecideByTheStateOfABatchsFirstFailingEntry() {
        // given: Hikari closed while shutting down (no SQLState); a batch whose entry hit a unique key
        var closedPool = new org.jooq.exception.DataAccessException(
                "x", new SQLException("HikariDataSource (HikariPool-1) has been closed."));
        var batch = new java.sql.BatchUpdateException(
                "Batch entry 0 insert into device values ('secret-value')", "0A000", new int[0]);
        batch.setNextException(new SQLException("duplicate key", "23505"));

        // then
        assertThat(CommandFailures.isTransient(closedPool)).isTrue();
        assertThat(CommandFailures.isTransient(batch)).isFalse();
        assertThat(CommandFailures.isConflict(batch)).isTrue();
        assertThat(CommandFailures.reason(batch)).doesNotContain("secret-value").contains("23505");
    }

    @Test
    void shouldBlameTheInputForDataExceptionsAndTooLargeAnswers() {
        // given
        UUID id = UUID.randomUUID();

        // when
        var badValue = CommandFailures.rejectionFor(new RuntimeException(new SQLException("x", "22P05")), id);
        var tooLarge = CommandFailures.rejectionFor(new AnswerTooLargeException("CreateOrder", 900_000, 524_288), id);
        var ours = CommandFailures.rejectionFor(new IllegalStateException("bug"), id);

        // then
        assertThat(badValue.type()).isEqualTo(RejectionType.VALIDATION_ERROR);
        assertThat(badValue.type().status()).isEqualTo(400);
        assertThat(tooLarge.type()).isEqualTo(RejectionType.VALIDATION_ERROR);
        assertThat(tooLarge.message()).contains("900000 bytes");
        assertThat(ours.type()).isEqualTo(RejectionType.INTERNAL_ERROR);
        assertThat(ours.type().status()).isEqualTo(500);
        assertThat(ours.message()).contains(id.toString());
    }

    @Test
    void shouldGiveOneLineWithoutTheSqlOrTheServersDetail() {
        // given: a message with the statement and a detail line quoting the row
        var failure = new org.jooq.exception.DataAccessException(
                "SQL [insert into license_user values (?, ?)]; ERROR: null value\n  Detail: Failing row contains"
                        + " (alice, pbkdf2$10000$salt$hash)",
                new SQLException(
                        "ERROR: null value in column\n  Detail: Failing row contains (alice, pbkdf2$...)", "23502"));

        // when
        String reason = CommandFailures.reason(failure);

        // then
        assertThat(reason)
                .doesNotContain("pbkdf2")
                .doesNotContain("insert into")
                .doesNotContain("\n");
        assertThat(reason).contains("23502");
        assertThat(reason.length()).isLessThanOrEqualTo(CommandFailures.MAX_REASON);
    }
}
