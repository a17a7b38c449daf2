/**
 * Reads {@code tally.commands.v1}: verifies each record's envelope signature, sends what cannot be trusted or read to
 * the dead-letter topic, applies the rest as one batch, and answers on the replies topic.
 */
package io.tally.worker.intake;
