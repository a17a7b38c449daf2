/**
 * The live status page: what this gateway answered in the last minute, second by second (throughput by outcome,
 * latency percentiles, the busiest licenses), for operators watching a burst as it happens.
 */
package io.tally.gateway.status;
