package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.UUID;

/**
 * A request for the worker, as carried on {@link Topics#COMMANDS}: a change to state, or a read that must see every
 * change accepted before it. Every command of one license travels the same partition, so the worker applies them in
 * the order the gateway accepted them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = LicenseCommand.ConsumeLicense.class, name = "ConsumeLicense"),
    @JsonSubTypes.Type(value = LicenseCommand.ConsumeFeature.class, name = "ConsumeFeature"),
    @JsonSubTypes.Type(value = LicenseCommand.ActivateLicense.class, name = "ActivateLicense"),
    @JsonSubTypes.Type(value = LicenseCommand.DeactivateLicense.class, name = "DeactivateLicense"),
    @JsonSubTypes.Type(value = LicenseCommand.CheckLicense.class, name = "CheckLicense"),
    @JsonSubTypes.Type(value = LicenseCommand.CheckFeature.class, name = "CheckFeature"),
    @JsonSubTypes.Type(value = LicenseCommand.ChangeLicense.class, name = "ChangeLicense"),
    @JsonSubTypes.Type(value = LicenseCommand.ReleaseSeat.class, name = "ReleaseSeat"),
    @JsonSubTypes.Type(value = LicenseCommand.BorrowSeat.class, name = "BorrowSeat"),
    @JsonSubTypes.Type(value = LicenseCommand.ExpireSeats.class, name = "ExpireSeats"),
    @JsonSubTypes.Type(value = ManagementCommand.CreateProduct.class, name = "CreateProduct"),
    @JsonSubTypes.Type(value = ManagementCommand.CreateProductFeature.class, name = "CreateProductFeature"),
    @JsonSubTypes.Type(value = ManagementCommand.CreateOrder.class, name = "CreateOrder"),
    @JsonSubTypes.Type(value = ManagementCommand.ResolveLicense.class, name = "ResolveLicense"),
    @JsonSubTypes.Type(value = ManagementCommand.LookupOutcome.class, name = "LookupOutcome"),
    @JsonSubTypes.Type(value = ManagementCommand.ListConsumptions.class, name = "ListConsumptions")
})
public sealed interface Command permits LicenseCommand, ManagementCommand {

    /** Unique per accepted request; the dedupe key in the worker's ledger. */
    UUID commandId();

    /** The gateway's clock when it accepted the request; the only time decisions may depend on. */
    Instant acceptedAt();

    String tenantId();

    /** The caller's {@code Idempotency-Key} and a digest of its request, or {@code null}. */
    Idempotency idempotency();

    /** The Kafka record key; commands with equal keys are applied in the order accepted. */
    String partitionKey();

    /**
     * A client's {@code Idempotency-Key} with a digest of the request it came with: the same key with the same digest
     * gets the first answer again; with another digest, {@code idempotency_key_reused}.
     */
    record Idempotency(String key, String requestDigest) {}
}
