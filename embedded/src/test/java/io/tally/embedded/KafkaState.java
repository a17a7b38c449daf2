package io.tally.embedded;

import io.tally.ops.KafkaOffsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Offsets of topics and groups, as integration tests check them. */
final class KafkaState {

    private KafkaState() {}

    /** Every partition's end offset (transaction markers included). */
    static Map<TopicPartition, Long> endOffsets(String bootstrapServers, String topic) throws Exception {
        try (var admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            return KafkaOffsets.offsets(admin, KafkaOffsets.partitions(admin, topic), OffsetSpec.latest());
        }
    }

    /** The group's committed offsets, by partition (partitions it never committed are absent). */
    static Map<TopicPartition, OffsetAndMetadata> committed(String bootstrapServers, String group) throws Exception {
        try (var admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            return new HashMap<>(admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get());
        }
    }
}
