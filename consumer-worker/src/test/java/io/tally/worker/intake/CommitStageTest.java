package io.tally.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommitStageTest {

    private static final ConsumerGroupMetadata GROUP = new ConsumerGroupMetadata("tally-worker-commands");

    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final List<Duration> commits = new CopyOnWriteArrayList<>();
    private CommitStage stage;

    private CommitStage stage(Duration commitDelay) {
        producer.initTransactions();
        stage = new CommitStage("test-commit", () -> producer, 4, commitDelay, commits::add);
        return stage;
    }

    @AfterEach
    void close() {
        if (stage != null) {
            stage.close();
        }
    }

    private static CommitStage.Pending batch(int partition, long nextOffset, String event) {
        return new CommitStage.Pending(
                List.of(new ProducerRecord<>("tally.events.v1", "key", event.getBytes())),
                Map.of(new TopicPartition("tally.commands.v1", partition), new OffsetAndMetadata(nextOffset)),
                GROUP);
    }

    @Test
    void shouldConfirmOffsetsOnlyOnceTheirTransactionCommitted() throws Exception {
        // given
        stage(Duration.ZERO).assigned(Map.of(0, 10L, 1, 3L));

        // when
        assertThat(stage.submit(batch(0, 12, "a"))).isTrue();
        assertThat(stage.submit(batch(0, 15, "b"))).isTrue();
        assertThat(stage.submit(batch(1, 4, "c"))).isTrue();
        stage.drain(List.of());

        // then: every event sent and committed, in order, with the offsets
        assertThat(stage.confirmed()).containsEntry(0, 15L).containsEntry(1, 4L);
        assertThat(producer.history())
                .extracting(record -> new String(record.value()))
                .containsExactly("a", "b", "c");
        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(producer.consumerGroupOffsetsHistory()).isNotEmpty();
        assertThat(commits).isNotEmpty();
    }

    @Test
    void shouldDropWhatFollowsAFailedTransactionAndRefuseUntilTheConsumerRewound() throws Exception {
        // given: the next commit fails
        stage(Duration.ZERO).assigned(Map.of(0, 10L));
        producer.commitTransactionException = new KafkaException("broker unavailable");

        // when
        stage.submit(batch(0, 12, "a"));
        stage.drain(List.of());

        // then: nothing confirmed beyond the start, the consumer must rewind before it may submit again
        assertThat(stage.confirmed()).containsEntry(0, 10L);
        assertThat(stage.failed()).isTrue();
        assertThat(stage.submit(batch(0, 13, "b"))).isFalse();
        stage.rewound();
        producer.commitTransactionException = null;
        assertThat(stage.submit(batch(0, 12, "a"))).isTrue();
        stage.drain(List.of());
        assertThat(stage.confirmed()).containsEntry(0, 12L);
    }

    @Test
    void shouldCommitBatchesWaitingTogetherWhenCommitsAreSlow() throws Exception {
        // given: every commit takes 200 ms
        stage(Duration.ofMillis(200)).assigned(Map.of(0, 0L));

        // when: four batches submitted while the first commits
        for (int i = 1; i <= 4; i++) {
            stage.submit(batch(0, i, "e" + i));
        }
        stage.drain(List.of(0));

        // then: all sent, in order, in fewer transactions than batches; the partition forgotten after the drain
        assertThat(producer.history())
                .extracting(record -> new String(record.value()))
                .containsExactly("e1", "e2", "e3", "e4");
        assertThat(commits.size()).isLessThan(4);
        assertThat(stage.confirmed()).doesNotContainKey(0);
    }
}
