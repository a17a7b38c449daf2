package io.tally.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.protocol.CommandSecrets;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class CommandRecordCheckTest {

    private static final LicenseRef USER_LICENSE = new LicenseRef("app", null, "ada@example.com", null);

    private final EnvelopeSignature envelope = new EnvelopeSignature("k1", Map.of("k1", "envelope-key-one"));
    private final ProtocolCodec codec = new ProtocolCodec();
    private final CommandRecordCheck check = new CommandRecordCheck(envelope, codec);

    @Test
    void shouldApplyASignedCommandWithItsPasswordOpened() {
        UUID id = UUID.randomUUID();
        var sealed = new CommandSecrets(envelope).sealPassword(id, "ada@example.com", "pw");

        var checked = check.check(signed(activation(id, sealed), 2, null));

        assertThat(checked.problem()).isNull();
        assertThat(((LicenseCommand.ActivateLicense) checked.command()).passwordDigest())
                .isEqualTo(CommandSecrets.passwordDigest("ada@example.com", "pw"));
    }

    @Test
    void shouldRefuseASignedCommandAskingForItsReplyOnAnotherTopic() {
        var checked = check.check(signed(activation(UUID.randomUUID(), null), 2, Topics.TENANTS));

        assertThat(checked.command()).isNull();
        assertThat(checked.problem()).contains("other than " + Topics.REPLIES);
    }

    @Test
    void shouldRefuseASignedCommandWhoseReplyPartitionIsNotOne() {
        var checked = check.check(signed(activation(UUID.randomUUID(), null), -1, null));

        assertThat(checked.problem()).isEqualTo("reply partition is not a partition number");
    }

    @Test
    void shouldRefuseACommandWhoseSealedPasswordDoesNotOpen() {
        var stranger = new CommandSecrets(new EnvelopeSignature("k1", Map.of("k1", "another-key")));
        UUID id = UUID.randomUUID();

        var checked = check.check(signed(activation(id, stranger.sealPassword(id, "ada@example.com", "pw")), 0, null));

        assertThat(checked.problem()).startsWith("unparseable").doesNotContain("pw");
    }

    private static LicenseCommand.ActivateLicense activation(UUID id, String sealedPassword) {
        return new LicenseCommand.ActivateLicense(
                id, Instant.EPOCH, "t", null, USER_LICENSE, "hw", null, sealedPassword, Map.of());
    }

    private ConsumerRecord<String, byte[]> signed(LicenseCommand command, int replyPartition, String replyTopic) {
        var sent = new ProducerRecord<String, byte[]>(
                Topics.COMMANDS, command.partitionKey(), codec.encodeCommand(command));
        sent.headers()
                .add(
                        EnvelopeSignature.REPLY_PARTITION_HEADER,
                        ByteBuffer.allocate(4).putInt(replyPartition).array());
        if (replyTopic != null) {
            sent.headers().add(EnvelopeSignature.REPLY_TOPIC_HEADER, replyTopic.getBytes(StandardCharsets.UTF_8));
        }
        envelope.signRecord(EnvelopeSignature.Kind.COMMAND, sent);
        return new ConsumerRecord<>(
                Topics.COMMANDS,
                0,
                0L,
                0L,
                TimestampType.CREATE_TIME,
                0,
                0,
                sent.key(),
                sent.value(),
                new RecordHeaders(sent.headers().toArray()),
                Optional.empty());
    }
}
