package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/** What a Management API call does to one license. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = LicenseChange.Read.class, name = "Read"),
    @JsonSubTypes.Type(value = LicenseChange.ResetConsumption.class, name = "ResetConsumption"),
    @JsonSubTypes.Type(value = LicenseChange.SetEnabled.class, name = "SetEnabled"),
    @JsonSubTypes.Type(value = LicenseChange.OverrideFeature.class, name = "OverrideFeature"),
    @JsonSubTypes.Type(value = LicenseChange.BlacklistDevice.class, name = "BlacklistDevice"),
    @JsonSubTypes.Type(value = LicenseChange.UpdateFloating.class, name = "UpdateFloating")
})
public sealed interface LicenseChange {

    /** Changes nothing: reads the license in order with its changes. */
    record Read() implements LicenseChange {}

    /** Sets the license's total back to 0. */
    record ResetConsumption() implements LicenseChange {}

    record SetEnabled(boolean enabled) implements LicenseChange {}

    /** Overrides settings of the license's copy of one product feature; {@code null} settings stay as they are. */
    record OverrideFeature(long productFeatureId, FeatureSettings settings) implements LicenseChange {
        public OverrideFeature {
            Objects.requireNonNull(settings, "settings");
        }
    }

    /** Blacklists one device of the license; it is refused everywhere from then on. */
    record BlacklistDevice(long deviceId) implements LicenseChange {}

    /**
     * {@code PATCH /api/v1/licenses/{id}/}: the license's floating settings; {@code null} ones stay as they are. A
     * license made not floating frees every seat at once; fewer {@code floating_users} than seats held takes none away
     * (the holders keep theirs until they end) but admits no one until there is room.
     */
    record UpdateFloating(FloatingSpec floating) implements LicenseChange {
        public UpdateFloating {
            Objects.requireNonNull(floating, "floating");
        }
    }
}
