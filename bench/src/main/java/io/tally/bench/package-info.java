/** The benchmark: Tally against the naive design, end to end, and the worker's replay rate. */
package io.tally.bench;
