package io.tally.gateway.consumption;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.requestreply.KafkaReplyTimeoutException;
import org.springframework.kafka.support.KafkaHeaders;

class PendingRepliesTest {

    private final AtomicLong now = new AtomicLong();
    private final PendingReplies replies = new PendingReplies(Duration.ofSeconds(10), now::get, false);

    @Test
    void shouldCompleteTheCallWithItsReplyWhenTheReplyCarriesItsCommandId() {
        // given
        UUID commandId = UUID.randomUUID();
        CompletableFuture<byte[]> call = replies.expect(commandId);
        CompletableFuture<byte[]> other = replies.expect(UUID.randomUUID());

        // when
        replies.onMessage(List.of(reply(commandId, "answer"), reply(UUID.randomUUID(), "not ours")));

        // then
        assertThat(call.join()).isEqualTo("answer".getBytes());
        assertThat(other).isNotDone();
        assertThat(replies.size()).isEqualTo(1);
    }

    @Test
    void shouldFailTheCallWithAReplyTimeoutWhenItsDeadlinePassesWithoutAReply() {
        // given
        CompletableFuture<byte[]> early = replies.expect(UUID.randomUUID());
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        CompletableFuture<byte[]> late = replies.expect(UUID.randomUUID());

        // when
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        replies.expire();

        // then
        assertThat(early)
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(KafkaReplyTimeoutException.class);
        assertThat(late).isNotDone();
        assertThat(replies.size()).isEqualTo(1);
    }

    @Test
    void shouldIgnoreARepliedCallWhenItsDeadlineLaterPasses() {
        // given
        UUID commandId = UUID.randomUUID();
        CompletableFuture<byte[]> call = replies.expect(commandId);
        replies.onMessage(List.of(reply(commandId, "answer")));

        // when
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        replies.expire();
        replies.onMessage(List.of(reply(commandId, "again")));

        // then
        assertThat(call.join()).isEqualTo("answer".getBytes());
        assertThat(replies.size()).isZero();
    }

    @Test
    void shouldFailTheCallAtOnceWhenItsCommandCouldNotBeSent() {
        // given
        UUID commandId = UUID.randomUUID();
        CompletableFuture<byte[]> call = replies.expect(commandId);

        // when
        replies.failed(commandId, new IllegalStateException("broker gone"));

        // then
        assertThat(call)
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .withMessage("broker gone");
        assertThat(replies.size()).isZero();
    }

    @Test
    void shouldSkipARecordWhenItsCorrelationHeaderIsMissingOrMalformed() {
        // given
        UUID commandId = UUID.randomUUID();
        CompletableFuture<byte[]> call = replies.expect(commandId);
        var bare = new ConsumerRecord<String, byte[]>("tally.replies.v1", 0, 0, "k", "x".getBytes());
        var shortHeader = new ConsumerRecord<String, byte[]>("tally.replies.v1", 0, 1, "k", "x".getBytes());
        shortHeader.headers().add(KafkaHeaders.CORRELATION_ID, new byte[] {1, 2, 3});

        // when
        replies.onMessage(List.of(bare, shortHeader));

        // then
        assertThat(call).isNotDone();
    }

    private static ConsumerRecord<String, byte[]> reply(UUID commandId, String value) {
        var record = new ConsumerRecord<String, byte[]>("tally.replies.v1", 0, 0, "k", value.getBytes());
        record.headers().add(KafkaHeaders.CORRELATION_ID, PendingReplies.correlation(commandId));
        return record;
    }
}
