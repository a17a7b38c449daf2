package io.tally.gateway.consumption;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.protocol.EnvelopeSignature;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.requestreply.KafkaReplyTimeoutException;
import org.springframework.kafka.support.KafkaHeaders;

class PendingRepliesTest {

    private static final EnvelopeSignature WORKER = new EnvelopeSignature("k1", java.util.Map.of("k1", "key-one"));

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger forged = new AtomicInteger();
    private final PendingReplies replies =
            new PendingReplies(Duration.ofSeconds(10), now::get, false, WORKER, forged::incrementAndGet);

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

    @Test
    void shouldIgnoreAndCountAReplyNotSignedByAWorkerWhenACallWaitsForIt() {
        // given
        UUID commandId = UUID.randomUUID();
        CompletableFuture<byte[]> call = replies.expect(commandId);
        var stranger = new EnvelopeSignature("k1", java.util.Map.of("k1", "not-the-workers-key"));
        var unsigned = new ConsumerRecord<String, byte[]>("tally.replies.v1", 0, 0, "k", "forged".getBytes());
        unsigned.headers().add(KafkaHeaders.CORRELATION_ID, PendingReplies.correlation(commandId));
        var otherCommandsReply = reply(UUID.randomUUID(), "real");
        var moved = new ConsumerRecord<String, byte[]>("tally.replies.v1", 0, 1, "k", "real".getBytes());
        otherCommandsReply
                .headers()
                .forEach(header -> moved.headers()
                        .add(
                                header.key().equals(KafkaHeaders.CORRELATION_ID)
                                        ? new org.apache.kafka.common.header.internals.RecordHeader(
                                                header.key(), PendingReplies.correlation(commandId))
                                        : header));

        // when
        replies.onMessage(List.of(reply(commandId, "forged", stranger), unsigned, moved));

        // then: still waiting for the worker's own reply
        assertThat(call).isNotDone();
        assertThat(forged).hasValue(3);

        replies.onMessage(List.of(reply(commandId, "answer")));
        assertThat(call.join()).isEqualTo("answer".getBytes());
    }

    private static ConsumerRecord<String, byte[]> reply(UUID commandId, String value) {
        return reply(commandId, value, WORKER);
    }

    private static ConsumerRecord<String, byte[]> reply(UUID commandId, String value, EnvelopeSignature signer) {
        var sent = new ProducerRecord<String, byte[]>("tally.replies.v1", 0, "k", value.getBytes());
        sent.headers().add(KafkaHeaders.CORRELATION_ID, PendingReplies.correlation(commandId));
        signer.signRecord(EnvelopeSignature.Kind.REPLY, sent);
        var record = new ConsumerRecord<String, byte[]>("tally.replies.v1", 0, 0, "k", value.getBytes());
        sent.headers().forEach(record.headers()::add);
        return record;
    }
}
