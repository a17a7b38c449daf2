package io.tally.bench.replay;

import io.tally.bench.load.Zipf;
import io.tally.embedded.TallyPipeline;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How fast the worker applies commands already on the topic: with the worker stopped, {@code n} signed
 * {@code add_consumption} commands (Zipf over the licenses) are produced as a gateway would; then the worker starts
 * and the time until its group has committed past them is measured, with everything a live batch does (ledger rows,
 * totals, idempotency, Kafka transaction with replies and events).
 */
public final class ReplayBenchmark {

    /**
     * @param commandsPerSecond n over the apply window (first to last ledger row written)
     * @param withStartSeconds from starting the worker to its group committing past the last command
     */
    public record Result(
            long commands,
            double produceSeconds,
            double applySeconds,
            double commandsPerSecond,
            double withStartSeconds,
            long ledgerRows,
            long totalIncrease) {}

    private ReplayBenchmark() {}

    public static Result run(
            TallyPipeline tally,
            String bootstrapServers,
            String envelopeKey,
            String tenantId,
            String product,
            String hardwareId,
            String[] licenses,
            long n,
            Runnable beforeApplying)
            throws Exception {
        DataSource database = tally.dataSource();
        long totalBefore = queryLong(database, "select coalesce(sum(total_consumptions), 0) from license");
        tally.stopWorker();
        Instant produced = Instant.now();
        long produceStart = System.nanoTime();
        produce(bootstrapServers, envelopeKey, tenantId, product, hardwareId, licenses, n);
        double produceSeconds = (System.nanoTime() - produceStart) / 1e9;
        Map<TopicPartition, Long> end = endOffsets(bootstrapServers);

        beforeApplying.run();
        long started = System.nanoTime();
        tally.startWorkerAgain();
        awaitCommitted(bootstrapServers, end, Duration.ofMinutes(5));
        double withStart = (System.nanoTime() - started) / 1e9;

        database = tally.dataSource();
        try (Connection connection = database.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select count(*), extract(epoch from max(applied_at) - min(applied_at))"
                                + " from command_ledger where accepted_at >= ?")) {
            query.setObject(1, produced.atOffset(java.time.ZoneOffset.UTC));
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                long ledgerRows = rows.getLong(1);
                double window = Math.max(1e-3, rows.getDouble(2));
                long totalAfter = queryLong(database, "select coalesce(sum(total_consumptions), 0) from license");
                return new Result(
                        n, produceSeconds, window, n / window, withStart, ledgerRows, totalAfter - totalBefore);
            }
        }
    }

    private static void produce(
            String bootstrapServers,
            String envelopeKey,
            String tenantId,
            String product,
            String hardwareId,
            String[] licenses,
            long n) {
        var codec = new ProtocolCodec();
        var signature = new EnvelopeSignature("k1", Map.of("k1", envelopeKey));
        var zipf = new Zipf(licenses.length - 1, 1.0);
        var random = new SplittableRandom(42);
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < n; i++) {
                String license = licenses[1 + zipf.next(random)];
                var command = new LicenseCommand.ConsumeLicense(
                        UUID.randomUUID(),
                        Instant.now(),
                        tenantId,
                        null,
                        new LicenseRef(product, license, null),
                        hardwareId,
                        1,
                        null,
                        null);
                var record =
                        new ProducerRecord<>(Topics.COMMANDS, command.partitionKey(), codec.encodeCommand(command));
                producer.send(signature.signRecord(EnvelopeSignature.Kind.COMMAND, record));
            }
            producer.flush();
        }
    }

    private static Map<TopicPartition, Long> endOffsets(String bootstrapServers) throws Exception {
        try (var admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            return io.tally.ops.KafkaOffsets.offsets(
                    admin, io.tally.ops.KafkaOffsets.partitions(admin, Topics.COMMANDS), OffsetSpec.latest());
        }
    }

    private static void awaitCommitted(String bootstrapServers, Map<TopicPartition, Long> end, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (var admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            while (System.nanoTime() < deadline) {
                var committed = admin.listConsumerGroupOffsets("tally-worker-commands")
                        .partitionsToOffsetAndMetadata()
                        .get();
                if (end.entrySet().stream()
                        .allMatch(e -> committed.get(e.getKey()) != null
                                && committed.get(e.getKey()).offset() >= e.getValue())) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the worker did not apply the replayed commands within " + timeout);
    }

    private static long queryLong(DataSource database, String query) throws SQLException {
        try (Connection connection = database.getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
