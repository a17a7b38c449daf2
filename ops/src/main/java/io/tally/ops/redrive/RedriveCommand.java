package io.tally.ops.redrive;

import io.tally.ops.Connections;
import io.tally.ops.ExitCodes;
import io.tally.ops.Output;
import io.tally.ops.Progress;
import io.tally.protocol.Topics;
import io.tally.worker.intake.CommandRecordCheck;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Puts dead letters back on the commands topic after the cause is fixed (a missing envelope key configured, a worker
 * that reads a newer schema version deployed). Each dead letter goes back exactly as the gateway produced it (same
 * key, so the same partition; same value and signature headers), without the dead-letter headers.
 *
 * <p>Exactly once: the redriven records and the tool's progress on the dead-letter topic (its own consumer group)
 * commit in one Kafka transaction, so a run that fails half-way redrives nothing twice, and the next run continues
 * after the last redriven letter. A letter that fails again returns to the dead-letter topic, after the snapshot this
 * run took of its end, so one run never loops. The worker's ledger keeps a command that was in fact applied from
 * being applied again.
 */
@Command(
        name = "redrive",
        mixinStandardHelpOptions = true,
        description = {
            "Put the dead letters of " + Topics.COMMANDS_DLT + " back on " + Topics.COMMANDS
                    + " after their cause is fixed; continues after the last run's letters.",
            "Dry run (lists the letters and their reasons) unless --execute is given."
        },
        exitCodeOnInvalidInput = ExitCodes.CANNOT_RUN,
        exitCodeOnExecutionException = ExitCodes.CANNOT_RUN,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.DONE_OR_DRY_RUN_HELP, ExitCodes.CANNOT_RUN_HELP})
public final class RedriveCommand implements Callable<Integer> {

    private static final Duration STALL = Duration.ofSeconds(30);

    @Mixin
    Connections connections;

    @Option(names = "--group", defaultValue = "tally-ops-redrive", description = "Progress is kept under this group.")
    String group;

    @Option(names = "--from-beginning", description = "Consider every letter, also those redriven by earlier runs.")
    boolean fromBeginning;

    @Option(names = "--execute", description = "Redrive; without it the letters are only listed.")
    boolean execute;

    @Option(names = "--json", description = "Print the letters and what was done as one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> letters = new ArrayList<>();
        try (var consumer = connections.committedReader(group)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.COMMANDS_DLT).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
            consumer.seekToBeginning(partitions);
            if (!fromBeginning) {
                committed.forEach((partition, offset) -> {
                    if (offset != null) {
                        consumer.seek(partition, offset.offset());
                    }
                });
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long waiting = end.entrySet().stream()
                    .mapToLong(entry -> entry.getValue() - consumer.position(entry.getKey()))
                    .sum();
            var reading = new Progress(spec.commandLine().getErr(), "redrive: dead letters read", waiting);
            int found = 0;
            int redriven = 0;
            int skipped = 0;
            try (var producer = execute ? producer() : null) {
                if (producer != null) {
                    producer.initTransactions();
                }
                long lastProgress = System.nanoTime();
                while (!caughtUp(consumer, end)) {
                    var records = consumer.poll(Duration.ofMillis(200));
                    if (records.isEmpty()) {
                        if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                            throw new IllegalStateException(
                                    "no progress reading " + Topics.COMMANDS_DLT + " for " + STALL);
                        }
                        continue;
                    }
                    lastProgress = System.nanoTime();
                    reading.advance(records.count());
                    List<ProducerRecord<String, byte[]>> batch = new ArrayList<>();
                    Map<TopicPartition, OffsetAndMetadata> progress = new HashMap<>();
                    for (ConsumerRecord<String, byte[]> letter : records) {
                        TopicPartition partition = new TopicPartition(letter.topic(), letter.partition());
                        if (letter.offset() >= end.get(partition)) {
                            continue; // arrived after this run started, perhaps a letter this run sent back
                        }
                        found++;
                        progress.put(partition, new OffsetAndMetadata(letter.offset() + 1));
                        String originalTopic = CommandRecordCheck.header(letter.headers(), "kafka_dlt-original-topic");
                        Map<String, Object> described = new LinkedHashMap<>();
                        described.put("letter", letter.topic() + "-" + letter.partition() + "@" + letter.offset());
                        described.put("key", letter.key());
                        described.put(
                                "original",
                                originalTopic + "-"
                                        + CommandRecordCheck.header(letter.headers(), "kafka_dlt-original-partition")
                                        + "@"
                                        + CommandRecordCheck.header(letter.headers(), "kafka_dlt-original-offset"));
                        described.put("reason", CommandRecordCheck.header(letter.headers(), Topics.DLT_REASON_HEADER));
                        letters.add(described);
                        if (!json) {
                            out.printf(
                                    "  %s key %s from %s: %s%n",
                                    described.get("letter"),
                                    described.get("key"),
                                    described.get("original"),
                                    described.get("reason"));
                        }
                        if (originalTopic != null && !originalTopic.equals(Topics.COMMANDS)) {
                            skipped++; // not ours to put back
                            continue;
                        }
                        batch.add(new ProducerRecord<>(
                                Topics.COMMANDS, null, letter.key(), letter.value(), withoutDeadLetterHeaders(letter)));
                    }
                    if (producer != null && !progress.isEmpty()) {
                        producer.beginTransaction();
                        batch.forEach(producer::send);
                        producer.sendOffsetsToTransaction(progress, consumer.groupMetadata());
                        producer.commitTransaction();
                        redriven += batch.size();
                    }
                }
            }
            reading.finish();
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("letters", letters);
                result.put("found", found);
                result.put(execute ? "redriven" : "would_redrive", execute ? redriven : found - skipped);
                result.put("left_alone", skipped);
                Output.values(out, true, result);
            } else if (execute) {
                out.printf(
                        "Redrove %d dead letters to %s (%d of another topic left alone).%n",
                        redriven, Topics.COMMANDS, skipped);
            } else {
                out.printf(
                        "Dry run: %d dead letters found, %d would be redriven; add --execute to redrive.%n",
                        found, found - skipped);
            }
            return ExitCodes.DONE;
        }
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(entry -> consumer.position(entry.getKey()) >= entry.getValue());
    }

    private static Headers withoutDeadLetterHeaders(ConsumerRecord<String, byte[]> letter) {
        var headers = new RecordHeaders();
        for (Header header : letter.headers()) {
            if (!header.key().startsWith("kafka_dlt-") && !header.key().equals(Topics.DLT_REASON_HEADER)) {
                headers.add(header);
            }
        }
        return headers;
    }

    private KafkaProducer<String, byte[]> producer() {
        var properties = connections.kafkaProperties();
        // One id per progress group: a second run fences a stuck first one instead of racing it.
        properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tally-ops-redrive-" + group);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }
}
