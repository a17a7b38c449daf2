package io.tally.ops.replay;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Where each partition of the commands topic is rewound to. Pure: decided from offsets the caller read.
 *
 * <p>A replay only ever moves the group back. A partition whose group has not yet reached the requested offset is
 * left alone: its commands from there will be applied anyway, and moving it forward would skip, that is lose,
 * commands.
 */
public final class ReplayPlan {

    /**
     * One partition as Kafka reports it.
     *
     * @param committed the group's committed offset, or {@code null} when it has none (the worker then starts at the
     *     earliest offset)
     */
    public record PartitionOffsets(int partition, long earliest, long end, Long committed) {

        /** Where the group resumes when a worker starts. */
        long position() {
            return committed == null ? earliest : committed;
        }
    }

    /** Partition {@code partition} goes from offset {@code from} back to {@code to}. */
    public record Move(int partition, long from, long to) {

        /** Commands the worker will see again. */
        public long replayed() {
            return Math.max(0, from - to);
        }
    }

    private ReplayPlan() {}

    /**
     * @param requested the first offset to replay per partition (from a time, an offset, or the beginning); beyond
     *     the partition's range it is clamped to it
     * @return one move per partition in {@code partitions}, by partition
     */
    public static List<Move> plan(List<PartitionOffsets> partitions, Map<Integer, Long> requested) {
        return partitions.stream()
                .sorted(Comparator.comparingInt(PartitionOffsets::partition))
                .map(offsets -> {
                    long wanted = requested.getOrDefault(offsets.partition(), offsets.position());
                    long inRange = Math.clamp(wanted, offsets.earliest(), Math.max(offsets.earliest(), offsets.end()));
                    long target = Math.min(inRange, offsets.position());
                    return new Move(offsets.partition(), offsets.position(), Math.max(target, offsets.earliest()));
                })
                .toList();
    }
}
