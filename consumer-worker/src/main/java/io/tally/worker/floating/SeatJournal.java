package io.tally.worker.floating;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * The seat changes of one license not yet written, at most one per device and pool (the latest wins): what the next
 * write upserts or deletes, so that a batch writes only the seats it changed, however many the license holds.
 * Immutable; O(log n) per change.
 */
public final class SeatJournal {

    /** A seat row's key; {@code feature} is {@code ""} for the license's own seats. */
    public record Key(String feature, String hardwareId) implements Comparable<Key> {
        @Override
        public int compareTo(Key other) {
            int byFeature = feature.compareTo(other.feature);
            return byFeature != 0 ? byFeature : hardwareId.compareTo(other.hardwareId);
        }
    }

    private static final SeatJournal EMPTY = new SeatJournal(TreePMap.empty());

    /** By key: the seat to write, or empty to delete. */
    private final PSortedMap<Key, Optional<Seat>> unsaved;

    private SeatJournal(PSortedMap<Key, Optional<Seat>> unsaved) {
        this.unsaved = unsaved;
    }

    public static SeatJournal empty() {
        return EMPTY;
    }

    public boolean isEmpty() {
        return unsaved.isEmpty();
    }

    /** The journal with {@code changes} recorded after what it holds. */
    public SeatJournal with(List<SeatChange> changes) {
        PSortedMap<Key, Optional<Seat>> next = unsaved;
        for (SeatChange change : changes) {
            Key key = new Key(
                    change.feature() == null ? "" : change.feature(),
                    change.seat().hardwareId());
            next = next.plus(key, change.kind().held() ? Optional.of(change.seat()) : Optional.empty());
        }
        return new SeatJournal(next);
    }

    /** Every unsaved row: the seat to write, or empty to delete. */
    public Map<Key, Optional<Seat>> rows() {
        return unsaved;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SeatJournal journal && unsaved.equals(journal.unsaved);
    }

    @Override
    public int hashCode() {
        return unsaved.hashCode();
    }

    @Override
    public String toString() {
        return "SeatJournal" + unsaved;
    }
}
