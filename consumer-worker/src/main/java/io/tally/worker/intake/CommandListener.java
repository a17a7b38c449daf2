package io.tally.worker.intake;

import io.tally.protocol.Command;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.RejectionType;
import io.tally.protocol.Topics;
import io.tally.worker.batch.BalanceFactory;
import io.tally.worker.batch.CommandBatchApplier;
import io.tally.worker.batch.EventFactory;
import io.tally.worker.batch.IncomingCommand;
import io.tally.worker.batch.IsolatingBatchApplier;
import io.tally.worker.license.LicenseCache;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.stereotype.Component;

/**
 * Consumes commands a poll batch at a time. Records of one license share a partition, so they arrive, and are
 * decided, in the order the gateway accepted them.
 *
 * <p>Delivery: the container runs each batch in a Kafka transaction that carries its replies, events, dead letters and
 * offsets, and commits it after this method returns, which is after the PostgreSQL commit. A crash in between aborts
 * the Kafka transaction and redelivers the batch; the ledger then answers the commands already applied without
 * applying them again, and their events, never seen by a read_committed reader, are emitted again identically. After
 * an operator rewinds the group, the emitted-through marks keep replayed commands from emitting a second event. A
 * transient failure (PostgreSQL or Kafka out of reach) is thrown, so the container retries the same batch until it
 * succeeds: nothing accepted is skipped. A command that fails for any other reason is isolated
 * ({@link IsolatingBatchApplier}): refused, answered, its event emitted and the record dead-lettered with the reason,
 * while the rest of its batch is applied.
 */
@Component
class CommandListener {

    private static final Logger LOGGER = LoggerFactory.getLogger(CommandListener.class);

    /** Larger records are dead-lettered without their value and headers (half of Kafka's default message size). */
    private static final int MAX_DEAD_LETTER_BYTES = 512 * 1024;

    /** Header the gateway sets to the request's id. */
    private static final String COMMAND_ID_HEADER = "tally-command-id";

    private final ProtocolCodec codec;
    private final CommandRecordCheck check;
    private final IsolatingBatchApplier applier;
    private final KafkaTemplate<String, byte[]> kafka;
    private final io.tally.worker.ledger.LedgerPartitions ledgerPartitions;
    private final java.time.Clock clock;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    private final io.micrometer.core.instrument.DistributionSummary batchSizes;
    private final io.micrometer.core.instrument.Timer batchDurations;
    private final io.micrometer.core.instrument.Timer postgresDurations;
    private final io.micrometer.core.instrument.Timer commandAges;
    private final io.micrometer.core.instrument.Counter deadLetters;
    private final Map<List<String>, io.micrometer.core.instrument.Counter> decisionCounters =
            new java.util.concurrent.ConcurrentHashMap<>();

    CommandListener(
            ProtocolCodec codec,
            EnvelopeSignature signature,
            IsolatingBatchApplier applier,
            KafkaTemplate<String, byte[]> kafka,
            io.micrometer.core.instrument.MeterRegistry meters,
            io.tally.worker.ledger.LedgerPartitions ledgerPartitions,
            java.time.Clock clock) {
        this.codec = codec;
        this.ledgerPartitions = ledgerPartitions;
        this.clock = clock;
        this.check = new CommandRecordCheck(signature, codec);
        this.applier = applier;
        this.kafka = kafka;
        this.meters = meters;
        this.batchSizes = io.micrometer.core.instrument.DistributionSummary.builder("tally.worker.batch.commands")
                .description("Commands per poll batch, each applied in one PostgreSQL transaction")
                .publishPercentileHistogram()
                .register(meters);
        this.batchDurations = io.micrometer.core.instrument.Timer.builder("tally.worker.batch.duration")
                .description("Time to apply one batch: checks, the PostgreSQL transaction, sending its messages")
                .publishPercentileHistogram()
                .register(meters);
        this.postgresDurations = io.micrometer.core.instrument.Timer.builder("tally.worker.batch.postgres")
                .description("One batch's PostgreSQL work: every transaction of it, isolation included")
                .publishPercentileHistogram()
                .register(meters);
        this.commandAges = io.micrometer.core.instrument.Timer.builder("tally.worker.command.age")
                .description("From the gateway accepting a request to the worker deciding it")
                .publishPercentileHistogram()
                .register(meters);
        this.deadLetters = io.micrometer.core.instrument.Counter.builder("tally.worker.dead.letters")
                .description("Records sent to tally.commands.v1.dlt")
                .register(meters);
    }

    @KafkaListener(
            id = "tally-worker-commands",
            topics = Topics.COMMANDS,
            batch = "true",
            concurrency = "${tally.worker.concurrency:2}")
    void onCommands(List<ConsumerRecord<String, byte[]>> records) {
        try {
            long started = System.nanoTime();
            applyBatch(records);
            batchDurations.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            batchSizes.record(records.size());
        } catch (RuntimeException e) {
            // Transient (the isolating applier keeps the others): the container retries the batch until it succeeds;
            // say why, or a waiting partition is silent.
            LOGGER.warn(
                    "Batch of {} commands failed and will be retried: {}",
                    records.size(),
                    io.tally.worker.batch.CommandFailures.reason(e));
            throw e;
        }
    }

    private void applyBatch(List<ConsumerRecord<String, byte[]>> records) {
        List<IncomingCommand> commands = new ArrayList<>(records.size());
        Map<UUID, ConsumerRecord<String, byte[]>> origins = new HashMap<>();
        // Once per batch: the oldest ledger month kept moves at most hourly, not between a batch's records.
        java.time.Instant keptFrom = ledgerPartitions.keptFrom();
        for (ConsumerRecord<String, byte[]> record : records) {
            String problem = check.problemWith(record);
            if (problem != null) {
                deadLetter(record, problem);
                continue;
            }
            Command command = codec.decodeCommand(record.value());
            if (keptFrom != null && command.acceptedAt().isBefore(keptFrom)) {
                // Its month of the ledger is gone, with its row if it was applied: applying it could count it twice.
                deadLetter(
                        record,
                        "accepted " + command.acceptedAt() + ", in a ledger month already dropped by the retention"
                                + " (months kept from " + keptFrom + "): not applied");
                continue;
            }
            commands.add(new IncomingCommand(command, record.partition(), record.offset()));
            origins.putIfAbsent(command.commandId(), record);
        }
        long postgresStarted = System.nanoTime();
        IsolatingBatchApplier.Outcome applied = applier.apply(commands, committedOffsets(records));
        postgresDurations.record(System.nanoTime() - postgresStarted, java.util.concurrent.TimeUnit.NANOSECONDS);
        java.time.Instant batchTime = null;
        for (CommandBatchApplier.Decided decided : applied.decided()) {
            if (decided.entry() != null
                    && (batchTime == null || decided.entry().appliedAt().isAfter(batchTime))) {
                batchTime = decided.entry().appliedAt();
            }
            ConsumerRecord<String, byte[]> origin =
                    origins.get(decided.command().commandId());
            try {
                publish(
                        decided,
                        origin,
                        applied.isolated().get(decided.command().commandId()));
            } catch (RuntimeException e) {
                if (io.tally.worker.batch.CommandFailures.isTransient(e)) {
                    throw e;
                }
                // Decided and committed, but its messages cannot be built: retrying would fail the same way for ever.
                deadLetter(
                        origin,
                        "decided, but its answer or event cannot be sent: "
                                + io.tally.worker.batch.CommandFailures.reason(e));
            }
        }
        for (LicenseCache.Entry license : applied.changed()) {
            try {
                kafka.send(
                        Topics.BALANCES,
                        BalanceFactory.keyOf(license.state()),
                        codec.encodeBalance(BalanceFactory.of(license, batchTime)));
            } catch (RuntimeException e) {
                if (io.tally.worker.batch.CommandFailures.isTransient(e)) {
                    throw e;
                }
                // Derived data: the license's next change publishes its totals again; stalling would help nobody.
                LOGGER.error(
                        "Totals of license {} cannot be published: {}",
                        license.state().id(),
                        io.tally.worker.batch.CommandFailures.reason(e));
            }
        }
        // Everything is sent in the container's Kafka transaction, which also carries the batch's offsets: replies,
        // events and dead letters become visible to read_committed consumers together, and only once. Not waited for
        // here: committing the transaction flushes them, and fails (rolling the batch back) if any send failed.
    }

    /**
     * Its reply (when a gateway waits for one), its event and, for a command the worker could not apply, its dead
     * letter: at once when isolated at this delivery ({@code isolatedNow}), or with the event when it was isolated at an
     * earlier delivery whose Kafka transaction was lost.
     */
    private void publish(
            CommandBatchApplier.Decided decided, ConsumerRecord<String, byte[]> origin, String isolatedNow) {
        if (origin.headers().lastHeader(KafkaHeaders.CORRELATION_ID) != null) {
            // Only a gateway waiting for the answer asks for one; commands produced otherwise get none.
            sendReply(decided, origin);
        }
        if (isolatedNow != null) {
            deadLetter(origin, isolatedNow);
        }
        if (!decided.emitEvent()) {
            return;
        }
        if (decided.entry() != null) {
            countDecision(decided);
        }
        kafka.send(Topics.EVENTS, origin.key(), codec.encodeEvent(EventFactory.of(decided.command(), decided.entry())));
        String isolatedEarlier = isolatedNow == null ? isolatedEarlier(decided) : null;
        if (isolatedEarlier != null) {
            // With its event, in the same transaction: exactly once.
            deadLetter(origin, isolatedEarlier);
        }
    }

    /** Why the command, answered from the ledger, was refused as one the worker could not apply; else {@code null}. */
    private static String isolatedEarlier(CommandBatchApplier.Decided decided) {
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

    /**
     * The group's committed offset of each partition in the batch, without asking the coordinator: a batch starts where
     * the last committed one ended (each batch commits its offsets in its own transaction, and after a rollback or a
     * rebalance the consumer resumes at the committed offset), so it is the batch's first offset of the partition, or
     * beyond only by transaction markers, which hold no command.
     */
    private static Map<Integer, Long> committedOffsets(List<ConsumerRecord<String, byte[]>> records) {
        Map<Integer, Long> committed = new HashMap<>();
        records.forEach(record -> committed.merge(record.partition(), record.offset(), Math::min));
        return committed;
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

    private CompletableFuture<?> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        deadLetters.increment();
        // The gateway's logs name the same request id (tally-command-id is the request's id).
        String requestId = header(record.headers(), COMMAND_ID_HEADER);
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
                                            new org.apache.kafka.common.header.internals.RecordHeader(
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
        return kafka.send(dead);
    }

    private CompletableFuture<?> sendReply(CommandBatchApplier.Decided decided, ConsumerRecord<String, byte[]> origin) {
        String topic = header(origin.headers(), KafkaHeaders.REPLY_TOPIC);
        var record = new ProducerRecord<String, byte[]>(
                topic != null ? topic : Topics.REPLIES,
                replyPartition(origin.headers()),
                origin.key(),
                decided.encodedReply() != null ? decided.encodedReply() : codec.encodeReply(decided.reply()));
        Header correlation = origin.headers().lastHeader(KafkaHeaders.CORRELATION_ID);
        if (correlation != null) {
            record.headers().add(KafkaHeaders.CORRELATION_ID, correlation.value());
        }
        return kafka.send(record);
    }

    private static Integer replyPartition(Headers headers) {
        Header header = headers.lastHeader(KafkaHeaders.REPLY_PARTITION);
        if (header == null || header.value().length != 4) {
            return null;
        }
        return java.nio.ByteBuffer.wrap(header.value()).getInt();
    }

    private static String header(Headers headers, String name) {
        return CommandRecordCheck.header(headers, name);
    }
}
