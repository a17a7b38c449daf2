package io.tally.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class OneLineErrorsTest {

    @Test
    void shouldNameKafkaAsUnreachableWhenACallTimedOut() {
        // given
        var failure = new ExecutionException(new TimeoutException("Timed out waiting for a node assignment."));

        // when
        String line = OneLineErrors.describe(failure, "broker:9092");

        // then
        assertThat(line).isEqualTo("cannot reach Kafka at broker:9092: Timed out waiting for a node assignment.");
    }

    @Test
    void shouldKeepOnlyTheErrorLineWhenPostgresqlReportsDetails() {
        // given
        var failure = new IllegalStateException(
                "batch failed", new SQLException("ERROR: duplicate key value\n  Detail: Key (k)=(v) already exists."));

        // when
        String line = OneLineErrors.describe(failure, null);

        // then
        assertThat(line).isEqualTo("PostgreSQL: ERROR: duplicate key value");
    }

    @Test
    void shouldNameTheTypeWhenAnUnexpectedExceptionEscapes() {
        // given
        var failure = new NullPointerException("Cannot invoke \"String.length()\"");

        // when
        String line = OneLineErrors.describe(failure, null);

        // then
        assertThat(line).isEqualTo("NullPointerException: Cannot invoke \"String.length()\"");
    }

    @Test
    void shouldJoinTheLinesWhenAMessageHasSeveral() {
        // given
        String message = "Validate failed\n  Detected applied migration not resolved locally: 8\r\n";

        // when
        String line = OneLineErrors.oneLine(message);

        // then
        assertThat(line).isEqualTo("Validate failed Detected applied migration not resolved locally: 8");
    }
}
