package io.tally.worker.demo;

import io.tally.protocol.TenantCredentials;

/** What a newcomer needs to call the demo license. Holds secrets: print it only to its owner. */
public record DemoTenant(
        TenantCredentials credentials, String product, String licenseKey, String hardwareId, long maxConsumptions) {}
