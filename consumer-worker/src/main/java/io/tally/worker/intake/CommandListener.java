package io.tally.worker.intake;

import io.tally.protocol.Command;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.Topics;
import io.tally.worker.batch.CommandBatchApplier;
import io.tally.worker.batch.CommandFailures;
import io.tally.worker.batch.IncomingCommand;
import io.tally.worker.batch.IsolatingBatchApplier;
import io.tally.worker.license.LicenseCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes commands a poll batch at a time. Records of one license share a partition, so they arrive, and are
 * decided, in the order the gateway accepted them.
 *
 * <p>Delivery (ADR 20): a batch is decided in one PostgreSQL transaction; once it committed, the replies leave at once
 * and the batch's events, balances, dead letters and offsets go to the consumer's {@link CommitStage}, which commits
 * them in one Kafka transaction on its own thread while this thread decides the next batches. A crash before that
 * Kafka transaction commits redelivers the batch from the last committed offsets; the ledger then answers the
 * commands already applied without applying them again, and their events, never seen by a read_committed reader, are
 * emitted again identically. The emission marks only move to offsets whose Kafka commit has returned, so after an
 * operator rewinds the group, replayed commands never emit a second event. A transient failure (PostgreSQL or Kafka
 * out of reach) makes the consumer seek back and try the same records again after a pause, for as long as it takes:
 * nothing accepted is skipped. A command that fails for any other reason is isolated ({@link IsolatingBatchApplier}).
 */
@Component
class CommandListener {

    private static final Logger LOGGER = LoggerFactory.getLogger(CommandListener.class);

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final CommandRecordCheck check;
    private final IsolatingBatchApplier applier;
    private final BatchMessages messages;
    private final CommitStages stages;
    private final io.tally.worker.ledger.LedgerPartitions ledgerPartitions;
    private final io.micrometer.core.instrument.DistributionSummary batchSizes;
    private final io.micrometer.core.instrument.Timer batchDurations;
    private final io.micrometer.core.instrument.Timer postgresDurations;
    /** Consecutive failed attempts of this consumer thread, for the backoff. */
    private final ThreadLocal<int[]> failures = ThreadLocal.withInitial(() -> new int[1]);

    CommandListener(
            ProtocolCodec codec,
            EnvelopeSignature signature,
            IsolatingBatchApplier applier,
            BatchMessages messages,
            CommitStages stages,
            io.micrometer.core.instrument.MeterRegistry meters,
            io.tally.worker.ledger.LedgerPartitions ledgerPartitions) {
        this.ledgerPartitions = ledgerPartitions;
        this.check = new CommandRecordCheck(signature, codec);
        this.applier = applier;
        this.messages = messages;
        this.stages = stages;
        this.batchSizes = io.micrometer.core.instrument.DistributionSummary.builder("tally.worker.batch.commands")
                .description("Commands per poll batch, each applied in one PostgreSQL transaction")
                .publishPercentileHistogram()
                .register(meters);
        this.batchDurations = io.micrometer.core.instrument.Timer.builder("tally.worker.batch.duration")
                .description("Time to decide one batch: checks, the PostgreSQL transaction, its replies")
                .publishPercentileHistogram()
                .register(meters);
        this.postgresDurations = io.micrometer.core.instrument.Timer.builder("tally.worker.batch.postgres")
                .description("One batch's PostgreSQL work: every transaction of it, isolation included")
                .publishPercentileHistogram()
                .register(meters);
    }

    @KafkaListener(
            id = "tally-worker-commands",
            topics = Topics.COMMANDS,
            batch = "true",
            concurrency = "${tally.worker.concurrency:2}")
    void onCommands(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) throws InterruptedException {
        CommitStage stage = stages.current();
        if (stage.failed()) {
            rewind(consumer, stage);
            return;
        }
        long started = System.nanoTime();
        List<ProducerRecord<String, byte[]>> transactional = new ArrayList<>();
        try {
            decide(records, stage.confirmed(), transactional);
        } catch (RuntimeException e) {
            // Transient (the isolating applier keeps the others), or a fault of ours that no single command explains:
            // the same records again after a pause; say why, or a waiting partition is silent.
            LOGGER.warn(
                    "Batch of {} commands failed and will be retried: {}", records.size(), CommandFailures.reason(e));
            seekToStart(consumer, records);
            pause();
            return;
        }
        failures.get()[0] = 0;
        batchDurations.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        batchSizes.record(records.size());
        if (!stage.submit(new CommitStage.Pending(transactional, nextOffsets(records), consumer.groupMetadata()))) {
            rewind(consumer, stage);
        }
    }

    /**
     * Decides the batch: replies sent, the records of its Kafka transaction added to {@code transactional}.
     *
     * @param confirmed how far each partition's events are committed (the next offset)
     */
    private void decide(
            List<ConsumerRecord<String, byte[]>> records,
            Map<Integer, Long> confirmed,
            List<ProducerRecord<String, byte[]>> transactional) {
        List<IncomingCommand> commands = new ArrayList<>(records.size());
        Map<UUID, ConsumerRecord<String, byte[]>> origins = new HashMap<>();
        // Once per batch: the oldest ledger month kept moves at most hourly, not between a batch's records.
        java.time.Instant keptFrom = ledgerPartitions.keptFrom();
        for (ConsumerRecord<String, byte[]> record : records) {
            CommandRecordCheck.Checked checked = check.check(record);
            if (checked.problem() != null) {
                transactional.add(messages.deadLetter(record, checked.problem()));
                continue;
            }
            Command command = checked.command();
            if (keptFrom != null && command.acceptedAt().isBefore(keptFrom)) {
                // Its month of the ledger is gone, with its row if it was applied: applying it could count it twice.
                transactional.add(messages.deadLetter(
                        record,
                        "accepted " + command.acceptedAt() + ", in a ledger month already dropped by the retention"
                                + " (months kept from " + keptFrom + "): not applied"));
                continue;
            }
            commands.add(new IncomingCommand(command, record.partition(), record.offset()));
            origins.putIfAbsent(command.commandId(), record);
        }
        Map<Integer, Long> committed = new HashMap<>();
        records.forEach(record -> {
            Long partitionConfirmed = confirmed.get(record.partition());
            if (partitionConfirmed != null) {
                committed.put(record.partition(), partitionConfirmed);
            }
        });
        long postgresStarted = System.nanoTime();
        IsolatingBatchApplier.Outcome applied = applier.apply(commands, committed);
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
                        applied.isolated().get(decided.command().commandId()),
                        transactional);
            } catch (RuntimeException e) {
                if (CommandFailures.isTransient(e)) {
                    throw e;
                }
                // Decided and committed, but its messages cannot be built: retrying would fail the same way for ever.
                transactional.add(messages.deadLetter(
                        origin, "decided, but its answer or event cannot be sent: " + CommandFailures.reason(e)));
            }
        }
        for (LicenseCache.Entry license : applied.changed()) {
            try {
                transactional.add(messages.balance(license, batchTime));
            } catch (RuntimeException e) {
                // Derived data: the license's next change publishes its totals again; stalling would help nobody.
                LOGGER.error(
                        "Totals of license {} cannot be published: {}",
                        license.state().id(),
                        CommandFailures.reason(e));
            }
        }
    }

    /**
     * Its reply, its event and, for a command the worker could not apply, its dead letter: at once when isolated at
     * this delivery ({@code isolatedNow}), or with the event when it was isolated at an earlier delivery whose Kafka
     * transaction was lost.
     */
    private void publish(
            CommandBatchApplier.Decided decided,
            ConsumerRecord<String, byte[]> origin,
            String isolatedNow,
            List<ProducerRecord<String, byte[]>> transactional) {
        messages.reply(decided, origin);
        if (isolatedNow != null) {
            transactional.add(messages.deadLetter(origin, isolatedNow));
        }
        if (!decided.emitEvent()) {
            return;
        }
        transactional.add(messages.event(decided, origin));
        String isolatedEarlier = isolatedNow == null ? BatchMessages.isolatedEarlier(decided) : null;
        if (isolatedEarlier != null) {
            // With its event, in the same transaction: exactly once.
            transactional.add(messages.deadLetter(origin, isolatedEarlier));
        }
    }

    /** Where each partition's consumption ends after this batch. */
    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<ConsumerRecord<String, byte[]>> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            offsets.merge(
                    new TopicPartition(record.topic(), record.partition()),
                    new OffsetAndMetadata(record.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return offsets;
    }

    /** A Kafka transaction failed: decide again from the last committed offsets, after a pause. */
    private void rewind(Consumer<?, ?> consumer, CommitStage stage) throws InterruptedException {
        Map<Integer, Long> confirmed = stage.confirmed();
        for (TopicPartition partition : consumer.assignment()) {
            Long offset = confirmed.get(partition.partition());
            if (offset != null) {
                consumer.seek(partition, offset);
            }
        }
        stage.rewound();
        LOGGER.warn("Deciding again from the last committed offsets {}", confirmed);
        pause();
    }

    private static void seekToStart(Consumer<?, ?> consumer, List<ConsumerRecord<String, byte[]>> records) {
        Map<TopicPartition, Long> first = new HashMap<>();
        records.forEach(record ->
                first.merge(new TopicPartition(record.topic(), record.partition()), record.offset(), Math::min));
        first.forEach(consumer::seek);
    }

    /** 100 ms, doubling with each consecutive failure up to five seconds. */
    private void pause() throws InterruptedException {
        int attempt = failures.get()[0]++;
        long millis = Math.min(MAX_BACKOFF.toMillis(), 100L << Math.min(attempt, 10));
        Thread.sleep(millis);
    }
}
