package io.tally.gateway.consumption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.gateway.GatewayProperties;
import io.tally.protocol.Command;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.ProtocolCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;

class CommandDispatcherTest {

    private static final int MAX_UNACKNOWLEDGED = 3;

    private final List<CompletableFuture<SendResult<String, byte[]>>> sent = new ArrayList<>();
    private final PendingReplies replies = new PendingReplies(
            Duration.ofSeconds(10),
            System::nanoTime,
            false,
            new io.tally.protocol.EnvelopeSignature("k1", java.util.Map.of("k1", "key-one")),
            () -> {});
    private final CommandDispatcher dispatcher = dispatcher();

    @Test
    void shouldRefuseAtOnceWhenTheBrokerHasNotAcknowledgedTheMostRecordsAllowed() {
        // given: the broker acknowledges nothing yet
        for (int i = 0; i < MAX_UNACKNOWLEDGED; i++) {
            assertThat(dispatcher.dispatch(command())).isNotDone();
        }

        // when
        CompletableFuture<?> refused = dispatcher.dispatch(command());

        // then: nothing more produced, and the call answered 429
        assertThat(sent).hasSize(MAX_UNACKNOWLEDGED);
        assertThat(refused)
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CommandDispatcher.Overloaded.class);
        assertThat(dispatcher.waiting()).isEqualTo(MAX_UNACKNOWLEDGED);
    }

    @Test
    void shouldAdmitAgainWhenTheBrokerAnswersASendWhetherItAcknowledgedOrFailedIt() {
        // given
        for (int i = 0; i < MAX_UNACKNOWLEDGED; i++) {
            dispatcher.dispatch(command());
        }

        // when: one acknowledged (its call still waits for the reply), one failed
        sent.get(0).complete(new SendResult<>(null, null));
        sent.get(1).completeExceptionally(new RuntimeException("expired"));

        // then: the failed call fails now, not at the reply timeout; two places are free again for records, while
        // the acknowledged call keeps waiting for its reply
        assertThat(replies.size()).isEqualTo(MAX_UNACKNOWLEDGED - 1);
        assertThat(dispatcher.dispatch(command())).isNotDone();
        assertThat(dispatcher.dispatch(command())).isNotDone();
        assertThat(dispatcher.dispatch(command())).isCompletedExceptionally();
        assertThat(sent).hasSize(MAX_UNACKNOWLEDGED + 2);
    }

    private CommandDispatcher dispatcher() {
        @SuppressWarnings("unchecked")
        KafkaTemplate<String, byte[]> kafka = mock(KafkaTemplate.class);
        when(kafka.send(any(org.apache.kafka.clients.producer.ProducerRecord.class)))
                .thenAnswer(invocation -> {
                    var future = new CompletableFuture<SendResult<String, byte[]>>();
                    sent.add(future);
                    return future;
                });
        var replyPartitions = new ReplyPartitions();
        replyPartitions.onPartitionsAssigned(null, List.of(new TopicPartition("tally.replies.v1", 0)));
        var properties = new GatewayProperties(
                Map.of("k1", "envelope-key-0123456789abcdef"),
                "k1",
                java.time.Duration.ofSeconds(10),
                100,
                MAX_UNACKNOWLEDGED,
                "replies",
                0,
                null);
        return new CommandDispatcher(
                kafka,
                replies,
                new ProtocolCodec(),
                new EnvelopeSignature("k1", Map.of("k1", "envelope-key-0123456789abcdef")),
                properties,
                replyPartitions,
                new SimpleMeterRegistry());
    }

    private static Command command() {
        return new LicenseCommand.ConsumeLicense(
                UUID.randomUUID(),
                Instant.parse("2026-12-01T00:00:00Z"),
                "tenant",
                null,
                new LicenseRef("app", "KEY-1", null, null),
                "device",
                1,
                null,
                null);
    }
}
