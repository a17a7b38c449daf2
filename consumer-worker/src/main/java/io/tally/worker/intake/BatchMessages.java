package io.tally.worker.intake;

import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.RejectionType;
import io.tally.protocol.Topics;
import io.tally.worker.batch.BalanceFactory;
import io.tally.worker.batch.CommandBatchApplier;
import io.tally.worker.batch.EventFactory;
import io.tally.worker.license.LicenseCache;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.stereotype.Component;

/**
 * The messages a decided batch produces: replies, sent at once (the PostgreSQL transaction that decided them has
 * committed, and a command delivered again is answered from the ledger with the same result), and the records of the
 * batch's Kafka transaction (events, balances, dead letters), built here and committed by its {@link CommitStage}.
 * Counts decisions and dead letters. Thread-safe.
 */
@Component
class BatchMessages {

    private static final Logger LOGGER = LoggerFactory.getLogger(BatchMessages.class);

    /** Header the gateway sets to the request's id. */
    static final String COMMAND_ID_HEADER = EnvelopeSignature.COMMAND_ID_HEADER;

    /** Larger records are dead-lettered without their value and headers (half of Kafka's default message size). */
    private static final int MAX_DEAD_LETTER_BYTES = 512 * 1024;

    private final ProtocolCodec codec;
    private final EnvelopeSignature signature;
    private final KafkaTemplate<String, byte[]> replies;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    private final io.micrometer.core.instrument.Timer commandAges;
    private final io.micrometer.core.instrument.Counter deadLetters;
    private final Map<List<String>, io.micrometer.core.instrument.Counter> decisionCounters =
            new java.util.concurrent.ConcurrentHashMap<>();

    BatchMessages(
            ProtocolCodec codec,
            EnvelopeSignature signature,
            KafkaTemplate<String, byte[]> replies,
            io.micrometer.core.instrument.MeterRegistry meters) {
        this.codec = codec;
        this.signature = signature;
        this.replies = replies;
        this.meters = meters;
        this.commandAges = io.micrometer.core.instrument.Timer.builder("tally.worker.command.age")
                .description("From the gateway accepting a request to the worker deciding it")
                .publishPercentileHistogram()
                .register(meters);
        this.deadLetters = io.micrometer.core.instrument.Counter.builder("tally.worker.dead.letters")
                .description("Records sent to tally.commands.v1.dlt")
                .register(meters);
    }

    /**
     * Sends the reply now, when a gateway waits for one (commands produced otherwise ask for none). Not transactional:
     * a reply lost with a crash is sent again when the command is delivered again and answered from the ledger.
     */
    void reply(CommandBatchApplier.Decided decided, ConsumerRecord<String, byte[]> origin) {
        Header correlation = origin.headers().lastHeader(KafkaHeaders.CORRELATION_ID);
        if (correlation == null) {
            return;
        }
        // Only ever the replies topic (CommandRecordCheck refused commands asking for another), signed so that the
        // gateway uses no reply it cannot verify.
        var record = new ProducerRecord<String, byte[]>(
                Topics.REPLIES,
                replyPartition(origin.headers()),
                origin.key(),
                decided.encodedReply() != null ? decided.encodedReply() : codec.encodeReply(decided.reply()));
        record.headers().add(KafkaHeaders.CORRELATION_ID, correlation.value());
        signature.signRecord(EnvelopeSignature.Kind.REPLY, record);
        replies.send(record).whenComplete((sent, failure) -> {
            if (failure != null) {
                // The caller's gateway answers request_pending; its retry is answered from the ledger.
                LOGGER.warn("Reply to {} could not be sent: {}", decided.reply().commandId(), failure.toString());
            }
        });
    }

    /** The command's event, counted among the decisions. */
    ProducerRecord<String, byte[]> event(CommandBatchApplier.Decided decided, ConsumerRecord<String, byte[]> origin) {
        if (decided.entry() != null) {
            countDecision(decided);
        }
        return new ProducerRecord<>(
                Topics.EVENTS, origin.key(), codec.encodeEvent(EventFactory.of(decided.command(), decided.entry())));
    }

    /** A license's latest totals for the compacted balances topic. */
    ProducerRecord<String, byte[]> balance(LicenseCache.Entry license, java.time.Instant batchTime) {
        return new ProducerRecord<>(
                Topics.BALANCES,
                BalanceFactory.keyOf(license.state()),
                codec.encodeBalance(BalanceFactory.of(license, batchTime)));
    }

    /** Why the command, answered from the ledger, was refused as one the worker could not apply; else {@code null}. */
    static String isolatedEarlier(CommandBatchApplier.Decided decided) {
        var entry = decided.entry();
        if (entry != null && entry.rejectionCode() != null) {
            RejectionType type = RejectionType.fromCode(entry.rejectionCode());
            if (type.isolated()) {
                return "could not be applied at an earlier delivery (" + type.code() + "); its reason is in that"
                        + " delivery's worker log under the request id";
            }
        }
        return null;
    }

    /** Outcomes by type and refusal code, and how long after acceptance each command was decided (once each). */
    private void countDecision(CommandBatchApplier.Decided decided) {
        var entry = decided.entry();
        String code = entry.rejectionCode() == null ? "none" : entry.rejectionCode();
        // Looked up once per outcome and code, not in the registry for every command of every batch.
        decisionCounters
                .computeIfAbsent(
                        List.of(entry.outcome(), code),
                        key -> meters.counter("tally.worker.decisions", "outcome", key.get(0), "code", key.get(1)))
                .increment();
        commandAges.record(java.time.Duration.between(entry.acceptedAt(), entry.appliedAt()));
    }

    /** The record's copy for the dead-letter topic, with the reason; logged under the request id and counted. */
    ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        deadLetters.increment();
        // The gateway's logs name the same request id (tally-command-id is the request's id).
        String requestId = CommandRecordCheck.header(record.headers(), COMMAND_ID_HEADER);
        try (var ignored = org.slf4j.MDC.putCloseable("request_id", requestId == null ? "unknown" : requestId)) {
            LOGGER.warn(
                    "Dead-lettering record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        }
        int size = (record.value() == null ? 0 : record.value().length)
                + java.util.Arrays.stream(record.headers().toArray())
                        .mapToInt(h -> h.key().length() + (h.value() == null ? 0 : h.value().length))
                        .sum();
        boolean tooLarge = size > MAX_DEAD_LETTER_BYTES;
        // A record near the broker's largest message would not fit again with the reason added, and the batch's Kafka
        // transaction would fail at every attempt: its copy keeps only the request id.
        var dead = new ProducerRecord<>(
                Topics.COMMANDS_DLT,
                null,
                record.key() != null && record.key().length() > 1024 ? null : record.key(),
                tooLarge ? null : record.value(),
                tooLarge
                        ? new RecordHeaders(
                                requestId == null || requestId.length() > 64
                                        ? new Header[0]
                                        : new Header[] {
                                            new RecordHeader(
                                                    COMMAND_ID_HEADER, requestId.getBytes(StandardCharsets.UTF_8))
                                        })
                        : new RecordHeaders(record.headers().toArray()));
        String fullReason = tooLarge ? reason + " (record of " + size + " bytes: value and headers not kept)" : reason;
        dead.headers().add(Topics.DLT_REASON_HEADER, fullReason.getBytes(StandardCharsets.UTF_8));
        dead.headers().add(KafkaHeaders.DLT_ORIGINAL_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        dead.headers()
                .add(
                        KafkaHeaders.DLT_ORIGINAL_PARTITION,
                        String.valueOf(record.partition()).getBytes(StandardCharsets.UTF_8));
        dead.headers()
                .add(
                        KafkaHeaders.DLT_ORIGINAL_OFFSET,
                        String.valueOf(record.offset()).getBytes(StandardCharsets.UTF_8));
        return dead;
    }

    private static Integer replyPartition(Headers headers) {
        Header header = headers.lastHeader(KafkaHeaders.REPLY_PARTITION);
        if (header == null || header.value().length != 4) {
            return null;
        }
        return java.nio.ByteBuffer.wrap(header.value()).getInt();
    }
}
