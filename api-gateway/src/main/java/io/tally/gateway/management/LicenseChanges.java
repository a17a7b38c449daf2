package io.tally.gateway.management;

import io.tally.gateway.api.RequestIds;
import io.tally.gateway.consumption.Outcomes;
import io.tally.protocol.Command;
import io.tally.protocol.CommandResult;
import io.tally.protocol.LicenseChange;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.ManagementCommand;
import io.tally.protocol.TenantCredentials;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * Sends a Management API change to one license named by its id (or a device's): first asks the worker where the
 * license lives, then sends the {@link LicenseCommand.ChangeLicense} on the license's own partition, so that it is
 * decided in order with the license's License API calls. Thread-safe.
 */
@Component
class LicenseChanges {

    private final Outcomes outcomes;
    private final Clock clock;

    LicenseChanges(Outcomes outcomes, Clock clock) {
        this.outcomes = outcomes;
        this.clock = clock;
    }

    /** {@code change} to the license {@code licenseId} of {@code tenant}, answered with {@code success}. */
    CompletableFuture<ResponseEntity<byte[]>> send(
            TenantCredentials tenant,
            long licenseId,
            Command.Idempotency idempotency,
            LicenseChange change,
            Function<CommandResult, ResponseEntity<byte[]>> success) {
        return send(tenant, licenseId, null, idempotency, change, success);
    }

    /** {@code change} to the license of the device {@code deviceId} of {@code tenant}. */
    CompletableFuture<ResponseEntity<byte[]>> sendForDevice(
            TenantCredentials tenant,
            long deviceId,
            Command.Idempotency idempotency,
            LicenseChange change,
            Function<CommandResult, ResponseEntity<byte[]>> success) {
        return send(tenant, null, deviceId, idempotency, change, success);
    }

    private CompletableFuture<ResponseEntity<byte[]>> send(
            TenantCredentials tenant,
            Long licenseId,
            Long deviceId,
            Command.Idempotency idempotency,
            LicenseChange change,
            Function<CommandResult, ResponseEntity<byte[]>> success) {
        Instant at = clock.instant();
        UUID requestId = RequestIds.current();
        var resolve = new ManagementCommand.ResolveLicense(
                UUID.randomUUID(), at, tenant.tenantId(), null, licenseId, deviceId);
        return outcomes.sendResolved(
                resolve,
                (LicenseRef ref) -> new LicenseCommand.ChangeLicense(
                        requestId, at, tenant.tenantId(), idempotency, ref, "", change),
                success);
    }
}
