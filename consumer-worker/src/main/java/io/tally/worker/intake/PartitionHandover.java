package io.tally.worker.intake;

import io.tally.worker.license.LicenseCache;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.stereotype.Component;

/**
 * What a worker does when partitions of the commands topic leave it (rebalancing is cooperative, so only on a join,
 * leave or crash in the group, and only for the partitions that move): after the last offsets are committed it records
 * how far their events are committed ({@link EmissionMarks}) and drops its cached license state. Before that, the
 * consumer's {@link CommitStage} commits every batch already decided on them, and when partitions arrive, it learns
 * their committed offsets. The cache is checked
 * by version under lock before every use, so the drop is not what keeps two workers from deciding on stale state (the
 * row locks and the ledger's command ids are); it keeps a worker from holding licenses it no longer decides.
 *
 * <p>Called on the consumer's thread.
 */
@Component
public class PartitionHandover implements ConsumerAwareRebalanceListener {

    private final EmissionMarks marks;
    private final LicenseCache licenses;
    private final CommitStages stages;

    PartitionHandover(EmissionMarks marks, LicenseCache licenses, CommitStages stages) {
        this.marks = marks;
        this.licenses = licenses;
        this.stages = stages;
    }

    /** The consumer starts new partitions at their committed offsets: their events are committed up to there. */
    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        java.util.Map<Integer, Long> positions = new java.util.HashMap<>();
        for (TopicPartition partition : partitions) {
            positions.put(partition.partition(), consumer.position(partition));
        }
        stages.current().assigned(positions);
    }

    /** Before the partitions go: every batch decided on them commits its events and offsets first. */
    @Override
    public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        CommitStage stage = stages.existing();
        if (stage == null || partitions.isEmpty()) {
            return;
        }
        try {
            stage.drain(partitions.stream().map(TopicPartition::partition).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void install(ContainerProperties properties) {
        properties.setConsumerRebalanceListener(this);
    }

    @Override
    public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        marks.record(consumer, partitions);
        licenses.clear();
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // Taken away without a commit (the worker was expelled): the events' marks are not known, the cache goes, and
        // the stage's transactions for them are fenced by the group's new generation.
        if (!partitions.isEmpty()) {
            licenses.clear();
            CommitStage stage = stages.existing();
            if (stage != null) {
                stage.lost(partitions.stream().map(TopicPartition::partition).toList());
            }
        }
    }
}
