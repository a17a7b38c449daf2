package io.tally.worker.intake;

import io.tally.protocol.Command;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.MalformedMessageException;
import io.tally.protocol.ProtocolCodec;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Decides whether a record of the commands topic may be applied: signed by the gateway with a known envelope key, and
 * a command of a schema version this worker reads. The worker and the operators' rebuild share it, so a rebuild
 * applies exactly what the worker would. Stateless and thread-safe.
 */
public final class CommandRecordCheck {

    private final EnvelopeSignature signature;
    private final ProtocolCodec codec;

    public CommandRecordCheck(EnvelopeSignature signature, ProtocolCodec codec) {
        this.signature = signature;
        this.codec = codec;
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

    /** The record's command, decoded once here, or why it cannot be applied. */
    public Checked check(ConsumerRecord<String, byte[]> record) {
        String keyId = header(record.headers(), EnvelopeSignature.KEY_ID_HEADER);
        String sig = header(record.headers(), EnvelopeSignature.SIGNATURE_HEADER);
        if (keyId == null || sig == null) {
            return Checked.refused(
                    "unsigned: no " + EnvelopeSignature.KEY_ID_HEADER + " or " + EnvelopeSignature.SIGNATURE_HEADER);
        }
        if (record.value() == null || !signature.verify(keyId, sig, record.value())) {
            return Checked.refused("bad signature (key id " + keyId + ")");
        }
        try {
            return Checked.applicable(codec.decodeCommand(record.value()));
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
