package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Objects;

/** What the worker decided for one command: what happened (past tense), or a {@link Rejection}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = CommandResult.LicenseConsumed.class, name = "LicenseConsumed"),
    @JsonSubTypes.Type(value = CommandResult.FeatureConsumed.class, name = "FeatureConsumed"),
    @JsonSubTypes.Type(value = CommandResult.LicenseChecked.class, name = "LicenseChecked"),
    @JsonSubTypes.Type(value = CommandResult.FeatureChecked.class, name = "FeatureChecked"),
    @JsonSubTypes.Type(value = CommandResult.LicenseDeactivated.class, name = "LicenseDeactivated"),
    @JsonSubTypes.Type(value = CommandResult.ProductCreated.class, name = "ProductCreated"),
    @JsonSubTypes.Type(value = CommandResult.FeatureCreated.class, name = "FeatureCreated"),
    @JsonSubTypes.Type(value = CommandResult.OrderCreated.class, name = "OrderCreated"),
    @JsonSubTypes.Type(value = CommandResult.LicenseResolved.class, name = "LicenseResolved"),
    @JsonSubTypes.Type(value = CommandResult.OutcomeFound.class, name = "OutcomeFound"),
    @JsonSubTypes.Type(value = CommandResult.OutcomePending.class, name = "OutcomePending"),
    @JsonSubTypes.Type(value = CommandResult.CommandRejected.class, name = "CommandRejected"),
    @JsonSubTypes.Type(value = CommandResult.ConsumptionsListed.class, name = "ConsumptionsListed"),
    @JsonSubTypes.Type(value = CommandResult.SeatReleased.class, name = "SeatReleased"),
    @JsonSubTypes.Type(value = CommandResult.SeatBorrowed.class, name = "SeatBorrowed"),
    @JsonSubTypes.Type(value = CommandResult.SeatsExpired.class, name = "SeatsExpired")
})
public sealed interface CommandResult {

    /** A consumption was applied; {@code license} holds the totals after it. */
    record LicenseConsumed(LicenseTotals license) implements CommandResult {
        public LicenseConsumed {
            Objects.requireNonNull(license, "license");
        }
    }

    /** A feature consumption was applied (or, from {@code CheckFeature}, read). */
    record FeatureConsumed(FeatureView feature) implements CommandResult {}

    /** The results that may change floating seats, and the changes they made (none for other licenses). */
    sealed interface WithSeats extends CommandResult {
        java.util.List<SeatEvent> seats();
    }

    /**
     * The license after an activation, a check or a management change; a check of a floating-cloud license took or
     * renewed a seat ({@code seats}).
     */
    record LicenseChecked(
            LicenseView license,

            @com.fasterxml.jackson.annotation.JsonInclude(
                    com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
            java.util.List<SeatEvent> seats)
            implements WithSeats {
        public LicenseChecked {
            seats = seats == null ? java.util.List.of() : java.util.List.copyOf(seats);
        }

        public LicenseChecked(LicenseView license) {
            this(license, java.util.List.of());
        }
    }

    /** One feature of a license, read; a check of a floating feature took or renewed a seat. */
    record FeatureChecked(
            FeatureView feature,

            @com.fasterxml.jackson.annotation.JsonInclude(
                    com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
            java.util.List<SeatEvent> seats)
            implements WithSeats {
        public FeatureChecked {
            seats = seats == null ? java.util.List.of() : java.util.List.copyOf(seats);
        }

        public FeatureChecked(FeatureView feature) {
            this(feature, java.util.List.of());
        }
    }

    /** The device was deactivated (after its buffered consumptions were added), and its seats freed. */
    record LicenseDeactivated(
            @com.fasterxml.jackson.annotation.JsonInclude(
                    com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
            java.util.List<SeatEvent> seats)
            implements WithSeats {
        public LicenseDeactivated {
            seats = seats == null ? java.util.List.of() : java.util.List.copyOf(seats);
        }

        public LicenseDeactivated() {
            this(java.util.List.of());
        }
    }

    /** The device's seat was freed ({@code floating/release}, {@code floating/feature_release}). */
    record SeatReleased(java.util.List<SeatEvent> seats) implements WithSeats {
        public SeatReleased {
            seats = seats == null ? java.util.List.of() : java.util.List.copyOf(seats);
        }
    }

    /**
     * The device's seat is borrowed until {@code borrowedUntil}.
     *
     * @param maxBorrowTime the longest borrow the license allows, in hours
     */
    record SeatBorrowed(
            java.time.Instant borrowedUntil,
            int maxBorrowTime,
            Long deviceId,
            long licenseId,
            java.util.List<SeatEvent> seats)
            implements WithSeats {
        public SeatBorrowed {
            seats = seats == null ? java.util.List.of() : java.util.List.copyOf(seats);
        }
    }

    /** The seats of the license that had ended were freed (possibly none). */
    record SeatsExpired(java.util.List<SeatEvent> seats) implements WithSeats {
        public SeatsExpired {
            seats = seats == null ? java.util.List.of() : java.util.List.copyOf(seats);
        }
    }

    record ProductCreated(long id) implements CommandResult {}

    /** A product feature was created and copied to the product's licenses. */
    record FeatureCreated(long id) implements CommandResult {}

    /** Every license of the order, created. */
    record OrderCreated(String orderId, List<CreatedLicense> licenses) implements CommandResult {
        public OrderCreated {
            licenses = List.copyOf(licenses);
        }
    }

    /** A license created by an order: {@code licenseKey} or {@code username} is set. */
    record CreatedLicense(long id, String product, String licenseKey, String username) {}

    /** Where a license addressed by id lives. */
    record LicenseResolved(LicenseRef license) implements CommandResult {}

    /** The outcome of an earlier request, as it was answered (or would have been). */
    record OutcomeFound(CommandResult outcome) implements CommandResult {
        public OutcomeFound {
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /** No outcome for that request yet: still in flight, or never accepted. */
    record OutcomePending() implements CommandResult {}

    /**
     * One page of a license's usage history.
     *
     * @param count entries in the whole selection (all pages)
     * @param entries this page's, newest first
     */
    record ConsumptionsListed(long count, java.util.List<ConsumptionEntry> entries) implements CommandResult {
        public ConsumptionsListed {
            entries = java.util.List.copyOf(entries);
        }
    }

    /**
     * One consumption command as the ledger recorded it.
     *
     * @param requestId the request's id ({@code Tally-Request-Id})
     * @param type {@code ConsumeLicense}, {@code ConsumeFeature} or {@code DeactivateLicense}
     * @param feature the feature's code for feature consumptions, else {@code null}
     * @param consumptions units asked for
     * @param outcome {@code LicenseConsumed}, {@code FeatureConsumed}, {@code LicenseDeactivated},
     *     {@code CommandRejected} or {@code Replayed}
     * @param code the refusal's code, or {@code null}
     * @param totalBefore the meter's total before, when it was read
     * @param totalAfter the meter's total after, when it was read
     */
    record ConsumptionEntry(
            java.util.UUID requestId,
            String type,
            String feature,
            String hardwareId,
            Integer consumptions,
            String outcome,
            String code,
            Long totalBefore,
            Long totalAfter,
            java.time.Instant acceptedAt,
            java.time.Instant appliedAt) {}

    /** The command was refused and nothing changed. */
    record CommandRejected(Rejection rejection) implements CommandResult {
        public CommandRejected {
            Objects.requireNonNull(rejection, "rejection");
        }
    }
}
