package io.tally.worker.license;

import java.time.Instant;
import java.util.Map;

/**
 * A device bound to a license.
 *
 * @param id database id, or 0 for a device first seen by this command
 * @param details what the SDK reported at activation (hostname, os_ver, ...)
 */
public record DeviceState(
        long id,
        String hardwareId,
        boolean active,
        boolean blacklisted,
        Instant activatedAt,
        Map<String, Object> details) {

    public DeviceState {
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    DeviceState asActivated(Instant at, Map<String, Object> newDetails) {
        return new DeviceState(id, hardwareId, true, blacklisted, at, newDetails.isEmpty() ? details : newDetails);
    }

    DeviceState asDeactivated() {
        return new DeviceState(id, hardwareId, false, blacklisted, activatedAt, details);
    }

    DeviceState asBlacklisted() {
        return new DeviceState(id, hardwareId, false, true, activatedAt, details);
    }
}
