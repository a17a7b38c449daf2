package io.tally.ops.rebuild;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads partitions from the beginning up to a snapshot of their ends and hands the records over in timestamp order
 * (ties by partition, then offset), one partition's records always in offset order. The live worker decides
 * partitions side by side as they arrive; time order is the closest serial order to that, and it keeps causes before
 * effects across partitions (a product is created before an order for it, since the gateway answered the first before
 * the second was sent).
 *
 * <p>Memory is bounded: a partition is paused once {@link #BUFFERED_PER_PARTITION} of its records wait.
 */
final class TimeOrderedReader {

    static final int BUFFERED_PER_PARTITION = 2_000;
    private static final Duration STALL = Duration.ofSeconds(30);
    private static final Comparator<ConsumerRecord<?, ?>> ORDER = Comparator.<ConsumerRecord<?, ?>>comparingLong(
                    ConsumerRecord::timestamp)
            .thenComparingInt(ConsumerRecord::partition)
            .thenComparingLong(ConsumerRecord::offset);

    private final KafkaConsumer<String, byte[]> consumer;

    TimeOrderedReader(KafkaConsumer<String, byte[]> consumer) {
        this.consumer = consumer;
    }

    /**
     * Reads {@code partitions} from their beginning to {@code end} (exclusive) and calls {@code sink} for each record.
     *
     * @return per partition, the offset after the last record read (0 for none): where a consumer that has seen
     *     every record stands, not counting the transaction markers that may follow
     */
    Map<TopicPartition, Long> readAll(
            Collection<TopicPartition> partitions,
            Map<TopicPartition, Long> end,
            Consumer<ConsumerRecord<String, byte[]>> sink) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, ArrayDeque<ConsumerRecord<String, byte[]>>> waiting = new HashMap<>();
        Map<TopicPartition, Long> read = new HashMap<>();
        partitions.forEach(partition -> {
            waiting.put(partition, new ArrayDeque<>());
            read.put(partition, 0L);
        });
        long lastProgress = System.nanoTime();
        while (true) {
            boolean starving = partitions.stream()
                    .anyMatch(partition -> waiting.get(partition).isEmpty() && !finished(partition, end));
            if (starving) {
                List<TopicPartition> full = new ArrayList<>();
                waiting.forEach((partition, records) -> {
                    if (records.size() >= BUFFERED_PER_PARTITION) {
                        full.add(partition);
                    }
                });
                consumer.resume(partitions);
                consumer.pause(full);
                var records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                        throw new IllegalStateException("no progress reading " + partitions + " for " + STALL);
                    }
                    continue;
                }
                lastProgress = System.nanoTime();
                for (ConsumerRecord<String, byte[]> record : records) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < end.get(partition)) {
                        waiting.get(partition).add(record);
                    }
                }
                continue;
            }
            ConsumerRecord<String, byte[]> next = null;
            for (ArrayDeque<ConsumerRecord<String, byte[]>> records : waiting.values()) {
                ConsumerRecord<String, byte[]> head = records.peekFirst();
                if (head != null && (next == null || ORDER.compare(head, next) < 0)) {
                    next = head;
                }
            }
            if (next == null) {
                return read;
            }
            TopicPartition partition = new TopicPartition(next.topic(), next.partition());
            waiting.get(partition).removeFirst();
            read.put(partition, next.offset() + 1);
            sink.accept(next);
        }
    }

    private boolean finished(TopicPartition partition, Map<TopicPartition, Long> end) {
        return consumer.position(partition) >= end.get(partition);
    }
}
