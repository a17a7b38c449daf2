package io.tally.gateway.consumption;

import java.util.Collection;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.stereotype.Component;

/**
 * The partitions of the replies topic this gateway instance reads, as the gateways' consumer group assigned them.
 *
 * <p>All gateway instances form one consumer group on the replies topic, so each partition is read by exactly one
 * instance, and no instance reads another's replies. Each command names its sender's partition (the lowest it owns) in
 * the {@code kafka_replyPartition} header, where the worker writes its reply. The group assigns partitions as instances
 * come and go, with no configuration per instance; an instance that dies loses only the replies of its own calls (its
 * partitions go to the others, which find no waiting call for them and drop them).
 *
 * <p>Thread-safe: the reply consumer's thread changes the set (cooperative rebalancing: revoked partitions are removed
 * before another instance gets them), request threads read it.
 */
@Component
public class ReplyPartitions implements ConsumerAwareRebalanceListener {

    private volatile int[] owned = new int[0];

    /**
     * The partition this instance has its replies written to: the lowest it owns, the same for every call, so that a
     * worker's batch writes to one reply partition per gateway instance and its Kafka transaction registers no more
     * (each partition a transaction touches costs the broker a registration and a commit marker). {@code -1} while it
     * owns none (just started, or more instances than partitions).
     */
    public int next() {
        int[] partitions = owned;
        return partitions.length == 0 ? -1 : partitions[0];
    }

    /** How many reply partitions this instance owns now. */
    public int owned() {
        return owned.length;
    }

    @Override
    public synchronized void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        TreeSet<Integer> now = current();
        partitions.forEach(partition -> now.add(partition.partition()));
        owned = now.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public synchronized void onPartitionsRevokedBeforeCommit(
            Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        remove(partitions);
    }

    @Override
    public synchronized void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        remove(partitions);
    }

    private void remove(Collection<TopicPartition> partitions) {
        TreeSet<Integer> now = current();
        partitions.forEach(partition -> now.remove(partition.partition()));
        owned = now.stream().mapToInt(Integer::intValue).toArray();
    }

    private TreeSet<Integer> current() {
        TreeSet<Integer> now = new TreeSet<>();
        for (int partition : owned) {
            now.add(partition);
        }
        return now;
    }
}
