package io.tally.gateway.tenant;

import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.ForgedRecordException;
import io.tally.protocol.MalformedMessageException;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.TenantRecords;
import io.tally.protocol.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * An in-memory view of {@link Topics#TENANTS}: read from the beginning at start, then followed, so that a new or
 * revoked key takes effect within moments on every gateway. Only records signed with an envelope key are used
 * ({@link TenantRecords}); any other (forged, or left by a writer without a key) is ignored, logged and counted
 * ({@code tally.gateway.tenants.forged}). Management keys are held as their digests only, as the topic carries them.
 * Reads are lock-free and thread-safe; one background thread writes.
 */
@Component
public class TenantKeys implements SmartLifecycle {

    private static final Logger LOGGER = LoggerFactory.getLogger(TenantKeys.class);

    private final Map<String, TenantCredentials> byApiKey = new ConcurrentHashMap<>();
    private final Map<String, TenantCredentials> byManagementKeySha256 = new ConcurrentHashMap<>();
    /** The API keys of each management key's digest; read and written by the following thread only. */
    private final Map<String, Set<String>> apiKeysByManagementKey = new HashMap<>();

    /** The first wait before reading the topic again after a failure; doubled up to {@link #LONGEST_RETRY}. */
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    static final Duration LONGEST_RETRY = Duration.ofSeconds(30);

    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final TenantRecords records;
    private final Runnable forged;
    private final Supplier<Consumer<String, byte[]>> consumers;
    private final Duration firstRetry;
    private volatile Consumer<String, byte[]> consumer;
    private volatile Thread thread;
    private volatile boolean stopping;
    private volatile boolean following;
    /** Opened by {@link #stop()}: ends a wait before reading the topic again. */
    private volatile CountDownLatch stopSignal = new CountDownLatch(1);

    @org.springframework.beans.factory.annotation.Autowired
    public TenantKeys(
            ProtocolCodec codec,
            EnvelopeSignature signature,
            KafkaProperties kafka,
            io.micrometer.core.instrument.MeterRegistry meters) {
        this(
                new TenantRecords(signature, codec),
                consumerFactory(kafka),
                FIRST_RETRY,
                io.micrometer.core.instrument.Counter.builder("tally.gateway.tenants.forged")
                        .description("Records on the tenants topic ignored: not signed with an envelope key")
                        .register(meters)::increment);
    }

    /**
     * With {@code consumers} making the consumer of each attempt to follow the topic, and {@code forged} called once for
     * each record ignored as forged.
     */
    TenantKeys(
            TenantRecords records, Supplier<Consumer<String, byte[]>> consumers, Duration firstRetry, Runnable forged) {
        this.records = records;
        this.consumers = consumers;
        this.firstRetry = firstRetry;
        this.forged = forged;
    }

    private static Supplier<Consumer<String, byte[]>> consumerFactory(KafkaProperties kafka) {
        Map<String, Object> config = new java.util.HashMap<>(kafka.buildConsumerProperties());
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return () -> new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Whether the topic is being followed now: false before the first read and while the reader waits to read it again
     * after a failure (then a revoked key may still be accepted, so the gateway is not ready).
     */
    public boolean isFollowing() {
        return following;
    }

    /** The keys of {@code apiKey}, revoked ones included ({@link TenantCredentials#revoked()}). */
    public Optional<TenantCredentials> byApiKey(String apiKey) {
        return Optional.ofNullable(byApiKey.get(apiKey));
    }

    /** The keys of the tenant whose management key is {@code managementKey}, while one of its API keys is valid. */
    public Optional<TenantCredentials> byManagementKey(String managementKey) {
        return Optional.ofNullable(byManagementKeySha256.get(TenantRecords.managementKeyDigest(managementKey)));
    }

    /** Whether every tenant record present at start-up has been read. */
    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void start() {
        stopping = false;
        stopSignal = new CountDownLatch(1);
        thread = Thread.ofPlatform().name("tally-tenant-keys").daemon().start(this::followUntilStopped);
    }

    @Override
    public void stop() {
        stopping = true;
        Consumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        // Out of a wait before reading again; not an interrupt, which would fail the consumer's own close.
        stopSignal.countDown();
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        thread = null;
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }

    /**
     * Follows the topic until stopped. A failure (the broker out of reach longer than the client waits, an error the
     * client cannot recover from) does not end the following: the reader logs it, waits ({@link #FIRST_RETRY},
     * doubling up to {@link #LONGEST_RETRY}) and reads the topic again from the beginning with a new consumer, which is
     * harmless since the topic is compacted and every record is the latest state of its key.
     */
    private void followUntilStopped() {
        Duration wait = firstRetry;
        while (!stopping) {
            try {
                follow();
                return;
            } catch (WakeupException e) {
                if (stopping) {
                    LOGGER.debug("Tenant key reader stopped");
                    return;
                }
                LOGGER.warn("Tenant key reader woken up unexpectedly; reading {} again", Topics.TENANTS);
            } catch (RuntimeException e) {
                if (stopping) {
                    return; // interrupted while stopping
                }
                LOGGER.error("Tenant key reader failed; reading {} again in {}", Topics.TENANTS, wait, e);
            }
            try {
                if (stopSignal.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            wait = wait.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : wait.multipliedBy(2);
        }
    }

    private void follow() {
        Consumer<String, byte[]> c = consumers.get();
        try {
            consumer = c;
            if (stopping) {
                return;
            }
            List<TopicPartition> partitions = awaitPartitions(c);
            if (partitions.isEmpty()) {
                return; // stopped while waiting for the topic
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            while (!stopping) {
                for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                    try {
                        apply(record);
                    } catch (RuntimeException e) {
                        // One record the gateway cannot use must not stop it following the others.
                        LOGGER.error(
                                "Ignoring tenant record at offset {} that could not be applied", record.offset(), e);
                    }
                }
                following = true;
                if (!isCaughtUp() && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                    LOGGER.info("Read {} tenant keys from {}", byApiKey.size(), Topics.TENANTS);
                    caughtUp.countDown();
                }
            }
        } finally {
            // Not following from before the consumer closes: whoever sees it closed sees that too.
            following = false;
            consumer = null;
            c.close();
        }
    }

    private List<TopicPartition> awaitPartitions(Consumer<String, byte[]> c) {
        while (!stopping) {
            List<org.apache.kafka.common.PartitionInfo> infos;
            try {
                infos = c.partitionsFor(Topics.TENANTS, Duration.ofSeconds(5));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                infos = List.of();
            }
            if (infos != null && !infos.isEmpty()) {
                return infos.stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition()))
                        .toList();
            }
            LOGGER.info("Waiting for topic {} to exist", Topics.TENANTS);
        }
        return List.of();
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        Optional<TenantCredentials> read;
        try {
            read = records.read(record);
        } catch (ForgedRecordException e) {
            forged.run();
            LOGGER.warn("Ignoring tenant record at offset {}: {}", record.offset(), e.getMessage());
            return;
        } catch (MalformedMessageException e) {
            LOGGER.warn("Ignoring unreadable tenant record at offset {}: {}", record.offset(), e.getMessage());
            return;
        }
        TenantCredentials current = read.orElse(null);
        TenantCredentials previous =
                current == null ? byApiKey.remove(record.key()) : byApiKey.put(current.apiKey(), current);
        if (previous != null) {
            apiKeysByManagementKey
                    .getOrDefault(previous.managementKeySha256(), Set.of())
                    .remove(previous.apiKey());
            refreshManagementKey(previous.managementKeySha256());
        }
        if (current != null) {
            apiKeysByManagementKey
                    .computeIfAbsent(current.managementKeySha256(), ignored -> new HashSet<>())
                    .add(current.apiKey());
            refreshManagementKey(current.managementKeySha256());
        }
    }

    /** A management key stays valid while any API key of its tenant is (a tenant has several during a rotation). */
    private void refreshManagementKey(String managementKeySha256) {
        TenantCredentials valid = apiKeysByManagementKey.getOrDefault(managementKeySha256, Set.of()).stream()
                .map(byApiKey::get)
                .filter(keys -> keys != null && !keys.revoked())
                .findFirst()
                .orElse(null);
        if (valid == null) {
            byManagementKeySha256.remove(managementKeySha256);
        } else {
            byManagementKeySha256.put(managementKeySha256, valid);
        }
    }
}
