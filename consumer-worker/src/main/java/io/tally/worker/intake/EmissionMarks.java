package io.tally.worker.intake;

import io.tally.worker.ledger.Ledger;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Records, when the worker gives up partitions (rebalance or shutdown), how far their events are committed. A batch
 * learns that the previous batch's events committed from the group's offset, so without this the last batch before a
 * stop would be unmarked, and an operator who rewinds the stopped group would see its events emitted twice.
 */
@Component
public class EmissionMarks {

    private static final Logger LOGGER = LoggerFactory.getLogger(EmissionMarks.class);

    private final DSLContext dsl;
    private final Ledger ledger;

    EmissionMarks(DSLContext dsl, Ledger ledger) {
        this.dsl = dsl;
        this.ledger = ledger;
    }

    /** Records how far the events of {@code partitions} are committed, as the group's offsets say; never throws. */
    void record(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        try {
            Map<Integer, Long> committed = new HashMap<>();
            consumer.committed(new HashSet<>(partitions)).forEach((partition, offset) -> {
                if (offset != null) {
                    committed.put(partition.partition(), offset.offset());
                }
            });
            dsl.transaction(configuration -> ledger.emittedThrough(configuration.dsl(), committed));
        } catch (RuntimeException e) {
            // Without the mark a later replay may emit the last batch's events again; the data itself is safe.
            LOGGER.warn("Could not record how far events are committed for {}: {}", partitions, e.toString());
        }
    }
}
