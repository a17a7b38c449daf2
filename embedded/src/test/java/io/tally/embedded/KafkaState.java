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

    /** The dead-letter reasons of the records with these keys, waiting (up to 30 s) until all are on the topic. */
    static Map<String, String> deadLetterReasons(String bootstrapServers, String... keys) {
        Map<String, String> reasons = new HashMap<>();
        try (var consumer = reader(bootstrapServers, "read_uncommitted")) {
            consumer.subscribe(java.util.List.of(io.tally.protocol.Topics.COMMANDS_DLT));
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (!reasons.keySet().containsAll(java.util.List.of(keys)) && System.nanoTime() < deadline) {
                for (var record : consumer.poll(java.time.Duration.ofMillis(200))) {
                    var reason = record.headers().lastHeader(io.tally.protocol.Topics.DLT_REASON_HEADER);
                    reasons.put(
                            record.key(),
                            reason == null
                                    ? null
                                    : new String(reason.value(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        return reasons;
    }

    /**
     * The committed dead letters whose {@code tally-command-id} is one of {@code requestIds}, with their reasons,
     * waiting (up to 30 s) until all are on the topic.
     */
    static Map<String, String> deadLetterReasonsByRequest(String bootstrapServers, java.util.Set<String> requestIds) {
        Map<String, String> reasons = new HashMap<>();
        try (var consumer = reader(bootstrapServers, "read_committed")) {
            consumer.subscribe(java.util.List.of(io.tally.protocol.Topics.COMMANDS_DLT));
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (!reasons.keySet().containsAll(requestIds) && System.nanoTime() < deadline) {
                for (var record : consumer.poll(java.time.Duration.ofMillis(200))) {
                    var id = record.headers().lastHeader("tally-command-id");
                    var reason = record.headers().lastHeader(io.tally.protocol.Topics.DLT_REASON_HEADER);
                    if (id != null && reason != null) {
                        String requestId = new String(id.value(), java.nio.charset.StandardCharsets.UTF_8);
                        if (requestIds.contains(requestId)) {
                            reasons.merge(
                                    requestId,
                                    new String(reason.value(), java.nio.charset.StandardCharsets.UTF_8),
                                    (first, second) -> first + " | " + second);
                        }
                    }
                }
            }
        }
        return reasons;
    }

    /**
     * The committed events whose {@code event_id} is one of {@code ids}, as JSON text (a list per id: more than one
     * means an event was emitted twice), waiting up to 30 s for all to arrive and then 1 s more for duplicates.
     */
    static Map<String, java.util.List<String>> eventsById(String bootstrapServers, java.util.Set<String> ids) {
        var mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        Map<String, java.util.List<String>> events = new HashMap<>();
        try (var consumer = reader(bootstrapServers, "read_committed")) {
            consumer.subscribe(java.util.List.of(io.tally.protocol.Topics.EVENTS));
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            long settled = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settled)) {
                for (var record : consumer.poll(java.time.Duration.ofMillis(200))) {
                    String json = new String(record.value(), java.nio.charset.StandardCharsets.UTF_8);
                    String id = mapper.readTree(json).path("event_id").asString("");
                    if (ids.contains(id)) {
                        events.computeIfAbsent(id, ignored -> new java.util.ArrayList<>())
                                .add(json);
                    }
                }
                if (settled == Long.MAX_VALUE && events.keySet().containsAll(ids)) {
                    settled =
                            System.nanoTime() + java.time.Duration.ofSeconds(1).toNanos();
                }
            }
        }
        return events;
    }

    /** A consumer of a group of its own, from the beginning of the topics it subscribes to. */
    private static org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> reader(
            String bootstrapServers, String isolationLevel) {
        var props = new java.util.Properties();
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + System.nanoTime());
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        return new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                props,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }
}
