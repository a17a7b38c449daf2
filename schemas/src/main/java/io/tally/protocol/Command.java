package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.UUID;

/**
 * A change to license state, as carried on {@link Topics#COMMANDS}. Every command of one license travels the same
 * partition, so the worker applies them in the order the gateway accepted them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(ConsumeLicense.class)})
public sealed interface Command permits ConsumeLicense {

    /** Unique per accepted request; the dedupe key in the worker's ledger. */
    UUID commandId();

    /** The gateway's clock when it accepted the request; the only time decisions may depend on. */
    Instant acceptedAt();

    String tenantId();

    LicenseRef license();

    default String partitionKey() {
        return license().partitionKey(tenantId());
    }
}
