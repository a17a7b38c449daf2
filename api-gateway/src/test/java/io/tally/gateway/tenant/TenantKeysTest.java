package io.tally.gateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.TenantRecords;
import io.tally.protocol.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway's view of the tenants topic keeps following it through a failure, and says when it is not. */
class TenantKeysTest {

    private static final TopicPartition PARTITION = new TopicPartition(Topics.TENANTS, 0);
    private final ProtocolCodec codec = new ProtocolCodec();
    private final TenantRecords records =
            new TenantRecords(new EnvelopeSignature("k1", Map.of("k1", "envelope-key-one")), codec);
    private final AtomicInteger forged = new AtomicInteger();
    private final List<MockConsumer<String, byte[]>> made = new CopyOnWriteArrayList<>();
    private TenantKeys keys;

    @AfterEach
    void stop() {
        if (keys != null) {
            keys.stop();
        }
    }

    @Test
    void shouldReadTheTopicAgainAndSayItIsNotFollowingWhileItWaitsAfterAFailure() throws Exception {
        // given: a first consumer that delivers key a and then fails, a second that delivers a and b
        keys = new TenantKeys(
                records,
                () -> {
                    var consumer = consumer();
                    if (made.isEmpty()) {
                        consumer.schedulePollTask(() -> consumer.addRecord(record(0, "a")));
                        consumer.schedulePollTask(() -> consumer.setPollException(new KafkaException("broker gone")));
                    } else {
                        consumer.schedulePollTask(() -> {
                            consumer.addRecord(record(0, "a"));
                            consumer.addRecord(record(1, "b"));
                        });
                    }
                    made.add(consumer);
                    return consumer;
                },
                Duration.ofSeconds(1),
                forged::incrementAndGet);

        // when
        keys.start();

        // then: key a known, then the failure: the first consumer closed, nothing followed while waiting
        await(() -> !made.isEmpty() && made.get(0).closed());
        assertThat(keys.byApiKey("a")).isPresent();
        assertThat(made).hasSize(1);
        assertThat(keys.isFollowing()).isFalse();
        // and a second consumer reads the topic again and follows it
        await(() -> keys.byApiKey("b").isPresent() && keys.isFollowing());
        assertThat(made).hasSize(2);
    }

    @Test
    void shouldSkipARecordItCannotApplyAndKeepFollowing() throws Exception {
        keys = new TenantKeys(
                records,
                () -> {
                    var consumer = consumer();
                    consumer.schedulePollTask(() -> {
                        consumer.addRecord(new ConsumerRecord<>(Topics.TENANTS, 0, 0, "garbage", new byte[] {1, 2}));
                        consumer.addRecord(record(1, "b"));
                    });
                    made.add(consumer);
                    return consumer;
                },
                Duration.ofSeconds(1),
                forged::incrementAndGet);

        keys.start();

        await(() -> keys.byApiKey("b").isPresent() && keys.isFollowing());
        assertThat(keys.byApiKey("garbage")).isEmpty();
        assertThat(made).hasSize(1);
    }

    @Test
    void shouldIgnoreAndCountARecordNotSignedWithAnEnvelopeKey() throws Exception {
        // given: key a, then a forger's record replacing a's shared key, then key b
        var forger = new TenantRecords(new EnvelopeSignature("k1", Map.of("k1", "a-key-tally-never-had")), codec);
        var replaced = new TenantCredentials("tenant-a", "a", "forger-knows-this-one", "m-a");
        keys = new TenantKeys(
                records,
                () -> {
                    var consumer = consumer();
                    consumer.schedulePollTask(() -> {
                        consumer.addRecord(record(0, "a"));
                        consumer.addRecord(consumed(1, forger.record(replaced)));
                        consumer.addRecord(record(2, "b"));
                    });
                    consumer.updateEndOffsets(Map.of(PARTITION, 3L));
                    made.add(consumer);
                    return consumer;
                },
                Duration.ofSeconds(1),
                forged::incrementAndGet);

        // when
        keys.start();

        // then
        await(() -> keys.byApiKey("b").isPresent() && keys.isFollowing());
        assertThat(keys.byApiKey("a").orElseThrow().sharedKey()).isEqualTo("shared-a-0123456789");
        assertThat(forged).hasValue(1);
        assertThat(keys.byManagementKey("m-a").orElseThrow().tenantId()).isEqualTo("tenant-a");
        assertThat(keys.byManagementKey(TenantRecords.managementKeyDigest("m-a")))
                .isEmpty();
    }

    private MockConsumer<String, byte[]> consumer() {
        var consumer = new MockConsumer<String, byte[]>("earliest");
        consumer.updatePartitions(Topics.TENANTS, List.of(new PartitionInfo(Topics.TENANTS, 0, null, null, null)));
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        consumer.updateEndOffsets(Map.of(PARTITION, 2L));
        return consumer;
    }

    private ConsumerRecord<String, byte[]> record(long offset, String apiKey) {
        var credentials =
                new TenantCredentials("tenant-" + apiKey, apiKey, "shared-" + apiKey + "-0123456789", "m-" + apiKey);
        return consumed(offset, records.record(credentials));
    }

    private static ConsumerRecord<String, byte[]> consumed(long offset, ProducerRecord<String, byte[]> sent) {
        var record = new ConsumerRecord<>(Topics.TENANTS, 0, offset, sent.key(), sent.value());
        sent.headers().forEach(record.headers()::add);
        return record;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
