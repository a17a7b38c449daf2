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
 * how far their events are committed ({@link EmissionMarks}) and drops its cached license state. The cache is checked
 * by version under lock before every use, so the drop is not what keeps two workers from deciding on stale state (the
 * row locks and the ledger's command ids are); it keeps a worker from holding licenses it no longer decides.
 *
 * <p>Called on the consumer's thread.
 */
@Component
public class PartitionHandover implements ConsumerAwareRebalanceListener {

    private final EmissionMarks marks;
    private final LicenseCache licenses;

    PartitionHandover(EmissionMarks marks, LicenseCache licenses) {
        this.marks = marks;
        this.licenses = licenses;
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
        // Taken away without a commit (the worker was expelled): the events' marks are not known, the cache goes.
        if (!partitions.isEmpty()) {
            licenses.clear();
        }
    }
}
