package io.tally.worker.intake;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.stereotype.Component;

/**
 * One {@link CommitStage} per consumer of the commands topic (per consumer thread) (a transaction's offsets must be committed with the
 * group metadata of the consumer that owns them), each with transactional producers of its own: a transactional id
 * unique to this process and stage, so that two workers never fence each other, while a restarted worker's old
 * transactions are fenced by the group's generation. Thread-safe.
 */
@Component
class CommitStages implements AutoCloseable {

    /** Batches a stage holds before its consumer waits: deciding runs ahead of committing by at most this many. */
    static final int MAX_PENDING = 64;

    private final ProducerFactory<String, byte[]> producerFactory;
    private final String transactionalIdPrefix;
    private final Duration commitDelay;
    private final io.micrometer.core.instrument.Timer commitDurations;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    /** By the consumer's thread: the listener and the rebalance callbacks of one consumer run on it. */
    private final Map<Long, CommitStage> stages = new ConcurrentHashMap<>();

    private final AtomicInteger created = new AtomicInteger();

    CommitStages(
            ProducerFactory<String, byte[]> producerFactory,
            @Value("${tally.transactional-id-prefix:tally-worker-}") String transactionalIdPrefix,
            @Value("${tally.fault.commit-delay:0s}") Duration commitDelay,
            io.micrometer.core.instrument.MeterRegistry meters) {
        this.producerFactory = producerFactory;
        this.transactionalIdPrefix = transactionalIdPrefix + UUID.randomUUID() + "-";
        this.commitDelay = commitDelay;
        this.meters = meters;
        this.commitDurations = io.micrometer.core.instrument.Timer.builder("tally.worker.commit.duration")
                .description("One batch's Kafka transaction: its events, balances, dead letters and offsets")
                .publishPercentileHistogram()
                .register(meters);
    }

    /** The stage of the consumer whose thread calls, started on first use. */
    CommitStage current() {
        return stages.computeIfAbsent(Thread.currentThread().threadId(), ignored -> {
            int number = created.incrementAndGet();
            String transactionalId = transactionalIdPrefix + number;
            return new CommitStage(
                    "tally-commit-" + number,
                    () -> producer(transactionalId),
                    MAX_PENDING,
                    commitDelay,
                    commitDurations::record);
        });
    }

    /** The stage of the consumer whose thread calls, if it has one. */
    CommitStage existing() {
        return stages.get(Thread.currentThread().threadId());
    }

    private Producer<String, byte[]> producer(String transactionalId) {
        Map<String, Object> config = new HashMap<>(producerFactory.getConfigurationProperties());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return new TimedProducer<>(producer, meters);
    }

    /** Commits what every stage holds and stops them (after the listener containers stopped). */
    @Override
    public void close() {
        stages.values().forEach(CommitStage::close);
        stages.clear();
    }
}
