package io.tally.worker.license;

/**
 * A license's own copy of one product feature.
 *
 * @param id database id of the copy
 * @param featureType {@code activation} or {@code consumption}
 */
public record FeatureState(long id, long productFeatureId, String code, String name, String featureType, Meter meter) {

    public static final String CONSUMPTION = "consumption";

    FeatureState with(Meter newMeter) {
        return new FeatureState(id, productFeatureId, code, name, featureType, newMeter);
    }
}
