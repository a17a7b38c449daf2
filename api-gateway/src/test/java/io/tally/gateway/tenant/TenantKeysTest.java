package io.tally.gateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway's view of the tenants topic keeps following it through a failure, and says when it is not. */
class TenantKeysTest {

    private static final TopicPartition PARTITION = new TopicPartition(Topics.TENANTS, 0);
    private final ProtocolCodec codec = new ProtocolCodec();
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
                codec,
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
                Duration.ofSeconds(1));

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
                codec,
                () -> {
                    var consumer = consumer();
                    consumer.schedulePollTask(() -> {
                        consumer.addRecord(new ConsumerRecord<>(Topics.TENANTS, 0, 0, "garbage", new byte[] {1, 2}));
                        consumer.addRecord(record(1, "b"));
                    });
                    made.add(consumer);
                    return consumer;
                },
                Duration.ofSeconds(1));

        keys.start();

        await(() -> keys.byApiKey("b").isPresent() && keys.isFollowing());
        assertThat(keys.byApiKey("garbage")).isEmpty();
        assertThat(made).hasSize(1);
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
        return new ConsumerRecord<>(Topics.TENANTS, 0, offset, apiKey, codec.encodeTenant(credentials));
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
