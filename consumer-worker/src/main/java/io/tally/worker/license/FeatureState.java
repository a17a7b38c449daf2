package io.tally.worker.license;

import io.tally.worker.floating.FloatingSettings;
import io.tally.worker.floating.SeatPool;

/**
 * A license's own copy of one product feature.
 *
 * @param id database id of the copy
 * @param featureType {@code activation} or {@code consumption}
 * @param floating how its seats are shared when it is a floating-cloud feature, else {@code null}
 * @param seats the seats its devices hold (empty unless floating)
 */
public record FeatureState(
        long id,
        long productFeatureId,
        String code,
        String name,
        String featureType,
        Meter meter,
        FloatingSettings floating,
        SeatPool seats) {

    public static final String CONSUMPTION = "consumption";

    public FeatureState {
        seats = seats == null ? SeatPool.empty() : seats;
    }

    /** A feature that is not floating. */
    public FeatureState(long id, long productFeatureId, String code, String name, String featureType, Meter meter) {
        this(id, productFeatureId, code, name, featureType, meter, null, SeatPool.empty());
    }

    FeatureState with(Meter newMeter) {
        return new FeatureState(id, productFeatureId, code, name, featureType, newMeter, floating, seats);
    }

    FeatureState withSeats(SeatPool newSeats) {
        return new FeatureState(id, productFeatureId, code, name, featureType, meter, floating, newSeats);
    }
}
