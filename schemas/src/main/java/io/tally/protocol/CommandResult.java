package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.Objects;

/** What the worker decided for one command: applied (past tense) or refused with a {@link Rejection}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(CommandResult.LicenseConsumed.class),
    @JsonSubTypes.Type(CommandResult.ConsumptionRejected.class)
})
public sealed interface CommandResult {

    /** The consumption was applied; {@code license} holds the totals after it. */
    @JsonTypeName("LicenseConsumed")
    record LicenseConsumed(LicenseTotals license) implements CommandResult {
        public LicenseConsumed {
            Objects.requireNonNull(license, "license");
        }
    }

    /** The consumption was refused and nothing changed. */
    @JsonTypeName("ConsumptionRejected")
    record ConsumptionRejected(Rejection rejection) implements CommandResult {
        public ConsumptionRejected {
            Objects.requireNonNull(rejection, "rejection");
        }
    }
}
