package io.tally.gateway.consumption;

import java.util.Collection;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.stereotype.Component;

/**
 * The partitions of the replies topic this gateway instance reads, as the gateways' consumer group assigned them.
 *
 * <p>All gateway instances form one consumer group on the replies topic, so each partition is read by exactly one
 * instance, and no instance reads another's replies. Each command names one of its sender's partitions in the
 * {@code kafka_replyPartition} header, where the worker writes its reply. The group assigns partitions as instances
 * come and go, with no configuration per instance; an instance that dies loses only the replies of its own calls (its
 * partitions go to the others, which find no waiting call for them and drop them).
 *
 * <p>Thread-safe: the reply consumer's thread changes the set (cooperative rebalancing: revoked partitions are removed
 * before another instance gets them), request threads read it.
 */
@Component
public class ReplyPartitions implements ConsumerAwareRebalanceListener {

    private volatile int[] owned = new int[0];
    private final AtomicInteger next = new AtomicInteger();

    /**
     * A partition this instance reads replies from, in turn, so that replies spread over its partitions; {@code -1}
     * while it owns none (just started, or more instances than partitions).
     */
    public int next() {
        int[] partitions = owned;
        if (partitions.length == 0) {
            return -1;
        }
        return partitions[Math.floorMod(next.getAndIncrement(), partitions.length)];
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
