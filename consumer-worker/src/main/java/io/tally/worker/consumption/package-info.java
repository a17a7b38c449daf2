/**
 * Where the limit is decided: {@link io.tally.worker.consumption.ConsumptionRules} is a pure function of license state
 * and command; {@link io.tally.worker.consumption.CommandBatchApplier} applies a whole poll batch of commands with it
 * in one PostgreSQL transaction.
 */
package io.tally.worker.consumption;
