/**
 * The ledger: one row per command decided, written in the same transaction as the state it changed. Its command id
 * is the dedupe record; its Idempotency-Key records answer client retries.
 */
package io.tally.worker.ledger;
