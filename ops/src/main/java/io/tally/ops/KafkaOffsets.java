package io.tally.ops;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** Partitions and offsets of a topic, read with the admin client. */
public final class KafkaOffsets {

    private KafkaOffsets() {}

    /** The partitions of {@code topic}, by number. */
    public static List<TopicPartition> partitions(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
                .toList();
    }

    /**
     * The offset {@code spec} names in each partition. For a time with no record at or after it, the end offset: Kafka
     * answers -1 there.
     */
    public static Map<TopicPartition, Long> offsets(Admin admin, Collection<TopicPartition> partitions, OffsetSpec spec)
            throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(partition -> request.put(partition, spec));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        var answers = admin.listOffsets(request).all().get();
        Map<TopicPartition, Long> ends = null;
        for (TopicPartition partition : partitions) {
            long offset = answers.get(partition).offset();
            if (offset < 0) {
                if (ends == null) {
                    ends = offsets(admin, partitions, OffsetSpec.latest());
                }
                offset = ends.get(partition);
            }
            offsets.put(partition, offset);
        }
        return offsets;
    }
}
