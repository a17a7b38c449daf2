/** Applies a poll batch of commands in one PostgreSQL transaction. */
package io.tally.worker.batch;
