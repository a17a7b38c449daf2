/**
 * The messages Tally exchanges on its topics, as Java values checked against the JSON Schemas in {@code schemas/v1}.
 *
 * <p>The protocol is kept apart from the engine: the gateway and the worker depend on this package, never on each
 * other. Commands are imperative ({@link io.tally.protocol.ConsumeLicense}), outcomes are past tense
 * ({@code LicenseConsumed}) or a {@link io.tally.protocol.Rejection}.
 */
package io.tally.protocol;
