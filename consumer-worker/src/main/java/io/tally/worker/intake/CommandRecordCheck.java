package io.tally.worker.intake;

import io.tally.protocol.Command;
import io.tally.protocol.CommandSecrets;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.MalformedMessageException;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Decides whether a record of the commands topic may be applied: signed by a gateway with a known envelope key as it
 * now is (value, key and routing headers), its reply asked for on the replies topic, and a command of a schema version
 * this worker reads. The worker and the operators' rebuild share it, so a rebuild
 * applies exactly what the worker would. Stateless and thread-safe.
 */
public final class CommandRecordCheck {

    private final EnvelopeSignature signature;
    private final ProtocolCodec codec;
    private final CommandSecrets secrets;

    public CommandRecordCheck(EnvelopeSignature signature, ProtocolCodec codec) {
        this.signature = signature;
        this.codec = codec;
        this.secrets = new CommandSecrets(signature);
    }

    /**
     * A record checked: its command when it may be applied, else why not (never including signature values). Exactly
     * one of the two is set.
     */
    public record Checked(Command command, String problem) {

        static Checked applicable(Command command) {
            return new Checked(command, null);
        }

        static Checked refused(String problem) {
            return new Checked(null, problem);
        }
    }

    /**
     * The record's command, decoded once here, or why it cannot be applied: not signed as a command by a known
     * envelope key (its value, key or any routing header changed since), a reply asked for elsewhere than
     * {@link Topics#REPLIES} or to a partition that is not one, or an unreadable command.
     */
    public Checked check(ConsumerRecord<String, byte[]> record) {
        String problem = signature.problemWith(EnvelopeSignature.Kind.COMMAND, record);
        if (problem != null) {
            return Checked.refused(problem);
        }
        // Signed, so a gateway set them; checked still, since a reply sent elsewhere would go to a topic the worker
        // writes for other readers (tenants, balances).
        String replyTopic = header(record.headers(), EnvelopeSignature.REPLY_TOPIC_HEADER);
        if (replyTopic != null && !replyTopic.equals(Topics.REPLIES)) {
            return Checked.refused("reply asked for on a topic other than " + Topics.REPLIES);
        }
        Header replyPartition = record.headers().lastHeader(EnvelopeSignature.REPLY_PARTITION_HEADER);
        if (replyPartition != null
                && (replyPartition.value() == null
                        || replyPartition.value().length != 4
                        || java.nio.ByteBuffer.wrap(replyPartition.value()).getInt() < 0)) {
            return Checked.refused("reply partition is not a partition number");
        }
        try {
            // Sealed passwords opened here, once: what is decided never depends on how the gateway carried them.
            return Checked.applicable(secrets.opened(codec.decodeCommand(record.value())));
        } catch (MalformedMessageException e) {
            return Checked.refused("unparseable: " + e.getMessage());
        }
    }

    /** The last value of header {@code name} as UTF-8, or {@code null} when absent. */
    public static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
