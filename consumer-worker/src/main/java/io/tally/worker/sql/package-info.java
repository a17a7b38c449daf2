/**
 * Statements that carry a batch's values as arrays ({@code unnest}), so that one statement text serves any number of
 * rows: PostgreSQL plans it once and a batch costs one round trip however many commands it holds.
 */
package io.tally.worker.sql;
