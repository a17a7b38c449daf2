package io.tally.worker.intake;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka half of one consumer's batches, off its decide loop (ADR 20): each batch's events, balances and dead
 * letters are produced in a Kafka transaction with the batch's offsets, on a thread of its own, while the consumer
 * goes on deciding the next batches. Batches commit in the order submitted; all those waiting when a transaction
 * begins commit together in it (group commit), so the stage keeps up however small the consumer's batches are.
 *
 * <p>The consumer learns from {@link #confirmed} how far its partitions' events are committed: only offsets whose
 * commit has returned, so the ledger's emission marks never run ahead of the events topic. When a transaction fails,
 * it is aborted, every batch submitted after it is dropped, {@link #submit} refuses until {@link #rewound} is called,
 * and the consumer must seek back to {@link #confirmed} and decide again (a command already decided is answered from
 * the ledger, and its event is produced again, once). A transaction of a consumer that lost its partitions is fenced
 * by the group's generation (KIP-447).
 *
 * <p>Thread-safe: the consumer's thread submits, drains and reads; the stage's thread commits.
 */
final class CommitStage implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(CommitStage.class);

    /** The least time between the end of one transaction and the start of the next. */
    static final Duration MIN_INTERVAL = Duration.ofMillis(20);

    /** One batch's messages and where its partitions' consumption ends (the next offset of each). */
    record Pending(
            List<ProducerRecord<String, byte[]>> records,
            Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata group) {}

    private final Supplier<Producer<String, byte[]>> producers;
    private final int maxPending;
    private final Duration commitDelay;
    private final java.util.function.Consumer<Duration> commitDurations;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Map<Integer, Long> confirmed = new ConcurrentHashMap<>();
    private final Thread thread;
    private Producer<String, byte[]> producer;
    private boolean committing;
    private long lastCommitEnd = System.nanoTime() - MIN_INTERVAL.toNanos();
    private boolean failed;
    private boolean closed;

    /**
     * @param producers new transactional producers, transactions initialised (one at a time; another after a fatal
     *     error)
     * @param maxPending batches waiting at most; {@link #submit} blocks beyond, which holds the consumer back
     * @param commitDelay a pause before each commit, to hold transactions open in fault tests; zero otherwise
     */
    CommitStage(
            String name,
            Supplier<Producer<String, byte[]>> producers,
            int maxPending,
            Duration commitDelay,
            java.util.function.Consumer<Duration> commitDurations) {
        this.producers = producers;
        this.maxPending = maxPending;
        this.commitDelay = commitDelay;
        this.commitDurations = commitDurations;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
        thread.start();
    }

    /** The partitions' consumption whose events are committed: the next offset of each, as last confirmed. */
    Map<Integer, Long> confirmed() {
        return Map.copyOf(confirmed);
    }

    /** Partitions assigned to the consumer, at the positions it starts from (their committed offsets). */
    void assigned(Map<Integer, Long> positions) {
        confirmed.putAll(positions);
    }

    /**
     * Queues a batch. Blocks while {@code maxPending} batches wait.
     *
     * @return {@code false} when a transaction failed and the consumer has not rewound yet: the batch is dropped
     */
    synchronized boolean submit(Pending pending) throws InterruptedException {
        while (queue.size() >= maxPending && !failed && !closed) {
            wait();
        }
        if (failed || closed) {
            return false;
        }
        queue.addLast(pending);
        notifyAll();
        return true;
    }

    /** Whether a transaction failed since the last {@link #rewound}: the consumer must seek back to {@link #confirmed}. */
    synchronized boolean failed() {
        return failed;
    }

    /** The consumer sought back to {@link #confirmed}: batches are accepted again. */
    synchronized void rewound() {
        failed = false;
        notifyAll();
    }

    /**
     * Waits until every batch submitted is committed or dropped (on a revocation, before the partitions go, and at
     * shutdown), then forgets {@code partitions}.
     */
    synchronized void drain(Collection<Integer> partitions) throws InterruptedException {
        while ((!queue.isEmpty() || committing) && !closed) {
            wait();
        }
        partitions.forEach(confirmed::remove);
    }

    /** Forgets partitions taken away without a drain (the consumer was expelled; its transactions are fenced). */
    void lost(Collection<Integer> partitions) {
        partitions.forEach(confirmed::remove);
    }

    @Override
    public void close() {
        try {
            synchronized (this) {
                while ((!queue.isEmpty() || committing) && !failed) {
                    wait(100);
                    if (!thread.isAlive()) {
                        break;
                    }
                }
                closed = true;
                notifyAll();
            }
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        }
    }

    private void run() {
        while (true) {
            List<Pending> group;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                // Transactions one right after the other find the last one's markers still being written (the broker
                // answers CONCURRENT_TRANSACTIONS and the producer backs off): leave a moment between them, which
                // also lets more batches share the next one.
                long sinceLast = System.nanoTime() - lastCommitEnd;
                if (sinceLast < MIN_INTERVAL.toNanos()) {
                    try {
                        wait(Math.max(1, (MIN_INTERVAL.toNanos() - sinceLast) / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (System.nanoTime() - lastCommitEnd < MIN_INTERVAL.toNanos()) {
                        continue;
                    }
                }
                // Every batch waiting commits in one transaction: the slower the commits, the more each carries, so the
                // stage keeps up with any rate the consumer decides at (group commit).
                group = List.copyOf(queue);
                committing = true;
            }
            boolean done = commit(group);
            lastCommitEnd = System.nanoTime();
            synchronized (this) {
                committing = false;
                if (done) {
                    for (Pending pending : group) {
                        queue.pollFirst();
                        pending.offsets()
                                .forEach((partition, offset) ->
                                        confirmed.merge(partition.partition(), offset.offset(), Math::max));
                    }
                } else {
                    // Everything after it depends on it: the consumer decides those commands again from the last
                    // confirmed offsets, answered from the ledger.
                    queue.clear();
                    failed = true;
                }
                notifyAll();
            }
        }
    }

    /** Batches, in order, in one transaction; {@code false} when it was aborted. */
    private boolean commit(List<Pending> group) {
        long started = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        int messages = 0;
        try {
            if (producer == null) {
                producer = producers.get();
            }
            producer.beginTransaction();
            for (Pending pending : group) {
                for (ProducerRecord<String, byte[]> record : pending.records()) {
                    producer.send(record);
                }
                messages += pending.records().size();
                pending.offsets()
                        .forEach((partition, offset) ->
                                offsets.merge(partition, offset, (a, b) -> a.offset() >= b.offset() ? a : b));
            }
            // The latest metadata: a batch's partitions are still this consumer's (revocation drains first).
            producer.sendOffsetsToTransaction(offsets, group.getLast().group());
            if (!commitDelay.isZero()) {
                Thread.sleep(commitDelay);
            }
            producer.commitTransaction();
            commitDurations.accept(Duration.ofNanos(System.nanoTime() - started));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            return false;
        } catch (RuntimeException e) {
            LOGGER.warn(
                    "The Kafka transaction of {} batches ({} messages, offsets {}) failed and is aborted; their commands"
                            + " are decided again: {}",
                    group.size(),
                    messages,
                    describe(offsets),
                    e.toString());
            abort();
            return false;
        }
    }

    /** Aborts the open transaction, or, when the producer cannot (fenced, fatal), replaces it. */
    private void abort() {
        if (producer == null) {
            return;
        }
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException ignored) {
                // closing a broken producer: nothing more to do
            }
            producer = null;
        }
    }

    private static Map<Integer, Long> describe(Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<Integer, Long> described = new HashMap<>();
        offsets.forEach((partition, offset) -> described.put(partition.partition(), offset.offset()));
        return described;
    }
}
