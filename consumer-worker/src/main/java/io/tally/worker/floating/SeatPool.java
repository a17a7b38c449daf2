package io.tally.worker.floating;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.pcollections.PSortedMap;
import org.pcollections.PSortedSet;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

/**
 * The seats of one license (or one of its floating features), immutable and persistent: a change costs O(log n) and
 * shares the rest with the pool before it, so a license with thousands of seats is as cheap to decide on as one with
 * few. Seats are kept by device and by the time they end, so finding the ended ones costs only as many steps as there
 * are (none scanned while they are held).
 *
 * <p>A pool holds the seats as last written; some may have ended since ({@link #ended}). Thread-safe (immutable).
 */
public final class SeatPool {

    private static final Comparator<Seat> BY_END =
            Comparator.comparing(Seat::heldUntil).thenComparing(Seat::hardwareId);

    private static final SeatPool EMPTY = new SeatPool(TreePMap.empty(), TreePSet.empty(BY_END));

    private final PSortedMap<String, Seat> byDevice;
    private final PSortedSet<Seat> byEnd;

    private SeatPool(PSortedMap<String, Seat> byDevice, PSortedSet<Seat> byEnd) {
        this.byDevice = byDevice;
        this.byEnd = byEnd;
    }

    public static SeatPool empty() {
        return EMPTY;
    }

    public static SeatPool of(Collection<Seat> seats) {
        SeatPool pool = EMPTY;
        for (Seat seat : seats) {
            pool = pool.with(seat);
        }
        return pool;
    }

    /** Seats in the pool, ended or not. */
    public int size() {
        return byDevice.size();
    }

    /** Seats still held at {@code at}: the pool's size less those ended by then. */
    public int heldAt(Instant at) {
        return size() - ended(at).size();
    }

    public Optional<Seat> seat(String hardwareId) {
        return Optional.ofNullable(byDevice.get(hardwareId));
    }

    public Collection<Seat> seats() {
        return byDevice.values();
    }

    /** The seats that have ended by {@code at} (held until {@code at} or earlier), earliest first. */
    public List<Seat> ended(Instant at) {
        List<Seat> ended = new ArrayList<>();
        for (Seat seat : byEnd) {
            if (seat.heldAt(at)) {
                break;
            }
            ended.add(seat);
        }
        return ended;
    }

    /** The earliest time a seat of the pool ends, if it has any. */
    public Optional<Instant> nextEnd() {
        return byEnd.isEmpty() ? Optional.empty() : Optional.of(byEnd.first().heldUntil());
    }

    /** The pool with {@code seat} in place of any seat of its device. */
    public SeatPool with(Seat seat) {
        Seat previous = byDevice.get(seat.hardwareId());
        PSortedSet<Seat> ends = previous == null ? byEnd : byEnd.minus(previous);
        return new SeatPool(byDevice.plus(seat.hardwareId(), seat), ends.plus(seat));
    }

    /** The pool without the seat of {@code hardwareId}. */
    public SeatPool without(String hardwareId) {
        Seat previous = byDevice.get(hardwareId);
        if (previous == null) {
            return this;
        }
        return new SeatPool(byDevice.minus(hardwareId), byEnd.minus(previous));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SeatPool pool && byDevice.equals(pool.byDevice);
    }

    @Override
    public int hashCode() {
        return byDevice.hashCode();
    }

    @Override
    public String toString() {
        return "SeatPool" + byDevice.values();
    }
}
