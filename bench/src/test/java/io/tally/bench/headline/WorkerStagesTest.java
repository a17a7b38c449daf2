package io.tally.bench.headline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerStagesTest {

    @Test
    void shouldReportTheMeansOfTheStretchBetweenTwoReadings() {
        // given: 100 batches of 5 commands over 10 s, 2 s of PostgreSQL and 1.5 s of Kafka commits in all
        var before = new WorkerStages.Reading(WorkerStages.parse("""
                        tally_worker_batch_commands_count{application="tally-worker"} 10.0
                        tally_worker_batch_commands_sum{application="tally-worker"} 50.0
                        tally_worker_batch_postgres_seconds_count 10.0
                        tally_worker_batch_postgres_seconds_sum 0.2
                        tally_worker_kafka_commit_seconds_count 10.0
                        tally_worker_kafka_commit_seconds_sum 0.15
                        """), 0);
        var after = new WorkerStages.Reading(WorkerStages.parse("""
                        tally_worker_batch_commands_count{application="tally-worker"} 110.0
                        tally_worker_batch_commands_sum{application="tally-worker"} 550.0
                        tally_worker_batch_postgres_seconds_count 110.0
                        tally_worker_batch_postgres_seconds_sum 2.2
                        tally_worker_kafka_commit_seconds_count 110.0
                        tally_worker_kafka_commit_seconds_sum 1.65
                        """), 10_000_000_000L);

        // when
        String table = WorkerStages.markdown(before, after);

        // then
        assertThat(table)
                .contains("| batches per second, over the whole stretch (each system is loaded in turn) | 10.0 |")
                .contains("| commands per batch | 5.00 |")
                .contains("| of which PostgreSQL, ms | 20.00 |")
                .contains("| off the decide loop (commit stage): the Kafka commit, ms | 15.00 |");
        assertThat(WorkerStages.parse("# HELP x\nx_count NaN\n")).isEqualTo(Map.of("x_count", Double.NaN));
    }
}
