/**
 * The headline latency rows of the benchmark: fixed offered rates held long enough to be trusted at low load, run
 * several times, reported as median and spread.
 */
package io.tally.bench.headline;
