package io.tally.gateway.tenant;

import io.tally.protocol.MalformedMessageException;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
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
 * An in-memory view of {@code tally.tenants.v1}: read from the beginning at start, then followed, so that a new or
 * revoked key takes effect within moments on every gateway. Reads are lock-free and thread-safe; one background thread
 * writes.
 */
@Component
public class TenantKeys implements SmartLifecycle {

    private static final Logger LOGGER = LoggerFactory.getLogger(TenantKeys.class);

    private final Map<String, TenantCredentials> byApiKey = new ConcurrentHashMap<>();
    private final Map<String, TenantCredentials> byManagementKey = new ConcurrentHashMap<>();
    /** The API keys of each management key; read and written by the following thread only. */
    private final Map<String, Set<String>> apiKeysByManagementKey = new HashMap<>();

    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final ProtocolCodec codec;
    private final Map<String, Object> consumerConfig;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Thread thread;

    public TenantKeys(ProtocolCodec codec, KafkaProperties kafka) {
        this.codec = codec;
        Map<String, Object> config = new java.util.HashMap<>(kafka.buildConsumerProperties());
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumerConfig = config;
    }

    /** The keys of {@code apiKey}, revoked ones included ({@link TenantCredentials#revoked()}). */
    public Optional<TenantCredentials> byApiKey(String apiKey) {
        return Optional.ofNullable(byApiKey.get(apiKey));
    }

    public Optional<TenantCredentials> byManagementKey(String managementKey) {
        return Optional.ofNullable(byManagementKey.get(managementKey));
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
        consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
        thread = Thread.ofPlatform().name("tally-tenant-keys").daemon().start(this::follow);
    }

    @Override
    public void stop() {
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
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

    private void follow() {
        try (KafkaConsumer<String, byte[]> c = consumer) {
            List<TopicPartition> partitions = awaitPartitions(c);
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                    apply(record);
                }
                if (!isCaughtUp() && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                    LOGGER.info("Read {} tenant keys from {}", byApiKey.size(), Topics.TENANTS);
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            LOGGER.debug("Tenant key reader stopped");
        } catch (RuntimeException e) {
            LOGGER.error("Tenant key reader failed; keys are no longer followed", e);
        }
    }

    private List<TopicPartition> awaitPartitions(KafkaConsumer<String, byte[]> c) {
        while (true) {
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
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        TenantCredentials previous;
        TenantCredentials current = null;
        if (record.value() == null) {
            previous = byApiKey.remove(record.key());
        } else {
            try {
                current = codec.decodeTenant(record.value());
            } catch (MalformedMessageException e) {
                LOGGER.warn("Ignoring unreadable tenant record at offset {}", record.offset());
                return;
            }
            previous = byApiKey.put(current.apiKey(), current);
        }
        if (previous != null) {
            apiKeysByManagementKey
                    .getOrDefault(previous.managementKey(), Set.of())
                    .remove(previous.apiKey());
            refreshManagementKey(previous.managementKey());
        }
        if (current != null) {
            apiKeysByManagementKey
                    .computeIfAbsent(current.managementKey(), ignored -> new HashSet<>())
                    .add(current.apiKey());
            refreshManagementKey(current.managementKey());
        }
    }

    /** A management key stays valid while any API key of its tenant is (a tenant has several during a rotation). */
    private void refreshManagementKey(String managementKey) {
        TenantCredentials valid = apiKeysByManagementKey.getOrDefault(managementKey, Set.of()).stream()
                .map(byApiKey::get)
                .filter(keys -> keys != null && !keys.revoked())
                .findFirst()
                .orElse(null);
        if (valid == null) {
            byManagementKey.remove(managementKey);
        } else {
            byManagementKey.put(managementKey, valid);
        }
    }
}
