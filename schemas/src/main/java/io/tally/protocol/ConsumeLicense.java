package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Command: add {@code consumptions} to a consumption license, as asked by {@code POST /api/v4/add_consumption}.
 *
 * <p>The worker decides it against the license state using {@code acceptedAt}, the gateway's clock at acceptance,
 * never its own, so that replaying the commands topic reaches the same decisions. {@code commandId} is unique per
 * accepted request; a second delivery of the same id is answered from the ledger and never applied again.
 *
 * @param commandId id given by the gateway at acceptance
 * @param acceptedAt when the gateway accepted the request
 * @param tenantId tenant that owns the license (from the authenticated API key)
 * @param license which license
 * @param hardwareId device that reports the usage
 * @param consumptions units to add; may be negative
 * @param allowOverages when not {@code null}, the license's stored setting becomes this value before the limit check
 * @param maxOverages when not {@code null}, the license's stored setting becomes this value before the limit check
 */
@JsonTypeName("ConsumeLicense")
public record ConsumeLicense(
        UUID commandId,
        Instant acceptedAt,
        String tenantId,
        LicenseRef license,
        String hardwareId,
        int consumptions,
        Boolean allowOverages,
        Integer maxOverages)
        implements Command {

    public ConsumeLicense {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(acceptedAt, "acceptedAt");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(license, "license");
        Objects.requireNonNull(hardwareId, "hardwareId");
    }
}
