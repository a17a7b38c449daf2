package io.tally.protocol;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A command about one license, named as License API callers name it. */
public sealed interface LicenseCommand extends Command {

    LicenseRef license();

    /** The device the call comes from. */
    String hardwareId();

    @Override
    default String partitionKey() {
        return license().partitionKey(tenantId());
    }

    /**
     * {@code add_consumption}: add {@code consumptions} (may be negative) to the license's total.
     *
     * @param allowOverages when not {@code null}, the license's setting becomes this value before the limit check
     * @param maxOverages when not {@code null}, the license's setting becomes this value before the limit check
     */
    record ConsumeLicense(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            LicenseRef license,
            String hardwareId,
            int consumptions,
            Boolean allowOverages,
            Integer maxOverages)
            implements LicenseCommand {
        public ConsumeLicense {
            requireCommon(commandId, acceptedAt, tenantId, license, hardwareId);
        }
    }

    /** {@code add_feature_consumption}: add {@code consumptions} to the license's copy of {@code feature}. */
    record ConsumeFeature(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            LicenseRef license,
            String hardwareId,
            String feature,
            int consumptions)
            implements LicenseCommand {
        public ConsumeFeature {
            requireCommon(commandId, acceptedAt, tenantId, license, hardwareId);
            Objects.requireNonNull(feature, "feature");
        }
    }

    /**
     * {@code activate_license}: activate (or reactivate) the device {@code hardwareId}.
     *
     * @param passwordDigest for user-based products, base64 SHA-256 of {@code username + ":" + password}, once the
     *     worker has opened {@code passwordSealed}; {@code null} for key-based products. Gateways no longer send it:
     *     a digest on a topic can be brute-forced
     * @param passwordSealed what the gateway sends instead: the digest sealed ({@link CommandSecrets}), so that the
     *     commands topic and its dead letters hold nothing a password can be recovered from
     * @param device what the SDK said about the device (hostname, os_ver, ...), kept as given
     */
    record ActivateLicense(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            LicenseRef license,
            String hardwareId,
            String passwordDigest,
            String passwordSealed,
            java.util.Map<String, Object> device)
            implements LicenseCommand {
        public ActivateLicense {
            requireCommon(commandId, acceptedAt, tenantId, license, hardwareId);
            device = device == null ? java.util.Map.of() : java.util.Map.copyOf(device);
        }

        /** An activation with the password's digest at hand (opened, or in a test). */
        public ActivateLicense(
                UUID commandId,
                Instant acceptedAt,
                String tenantId,
                Idempotency idempotency,
                LicenseRef license,
                String hardwareId,
                String passwordDigest,
                java.util.Map<String, Object> device) {
            this(commandId, acceptedAt, tenantId, idempotency, license, hardwareId, passwordDigest, null, device);
        }
    }

    /**
     * {@code deactivate_license}: add {@code consumptions} if given (so buffered usage is not lost), then deactivate
     * the device.
     */
    record DeactivateLicense(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            LicenseRef license,
            String hardwareId,
            Integer consumptions)
            implements LicenseCommand {
        public DeactivateLicense {
            requireCommon(commandId, acceptedAt, tenantId, license, hardwareId);
        }
    }

    /**
     * {@code check_license}: read the license as of every command accepted before this one; for a floating-cloud
     * license, also take or renew the device's seat.
     */
    record CheckLicense(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            LicenseRef license,
            String hardwareId)
            implements LicenseCommand {
        public CheckLicense {
            requireCommon(commandId, acceptedAt, tenantId, license, hardwareId);
        }
    }

    /** {@code check_license_feature}: read one feature of the license; take or renew a seat on a floating one. */
    record CheckFeature(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            LicenseRef license,
            String hardwareId,
            String feature)
            implements LicenseCommand {
        public CheckFeature {
            requireCommon(commandId, acceptedAt, tenantId, license, hardwareId);
            Objects.requireNonNull(feature, "feature");
        }
    }

    /**
     * A Management API change to one license, addressed by id (resolved to its {@link LicenseRef} first, so that it
     * travels the license's own partition). {@code hardwareId} is empty.
     */
    record ChangeLicense(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            LicenseRef license,
            String hardwareId,
            LicenseChange change)
            implements LicenseCommand {
        public ChangeLicense {
            Objects.requireNonNull(license.licenseId(), "license.licenseId");
            requireCommon(commandId, acceptedAt, tenantId, license, hardwareId == null ? "" : hardwareId);
            hardwareId = hardwareId == null ? "" : hardwareId;
            Objects.requireNonNull(change, "change");
        }
    }

    /**
     * {@code floating/release} and {@code floating/feature_release}: free the device's seat on the license, or on its
     * floating feature {@code feature} when set.
     */
    record ReleaseSeat(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            LicenseRef license,
            String hardwareId,
            String feature)
            implements LicenseCommand {
        public ReleaseSeat {
            requireCommon(commandId, acceptedAt, tenantId, license, hardwareId);
        }
    }

    /**
     * {@code floating/borrow} and {@code floating/feature_borrow}: hold the device's seat (taking one if it has none)
     * until {@code borrowedUntil}, or for the longest the license allows when it is {@code null}.
     */
    record BorrowSeat(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            LicenseRef license,
            String hardwareId,
            String feature,
            Instant borrowedUntil)
            implements LicenseCommand {
        public BorrowSeat {
            requireCommon(commandId, acceptedAt, tenantId, license, hardwareId);
        }
    }

    /**
     * Frees the seats of the license and its floating features that have ended by {@code acceptedAt}: produced by the
     * worker's expiry run for licenses with ended seats, through the license's partition, so that seats show as free
     * without traffic and a replay frees them again at the same instants. {@code hardwareId} is empty.
     */
    record ExpireSeats(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            LicenseRef license,
            String hardwareId)
            implements LicenseCommand {
        public ExpireSeats {
            hardwareId = hardwareId == null ? "" : hardwareId;
            requireCommon(commandId, acceptedAt, tenantId, license, hardwareId);
        }
    }

    private static void requireCommon(
            UUID commandId, Instant acceptedAt, String tenantId, LicenseRef license, String hardwareId) {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(acceptedAt, "acceptedAt");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(license, "license");
        Objects.requireNonNull(hardwareId, "hardwareId");
    }
}
