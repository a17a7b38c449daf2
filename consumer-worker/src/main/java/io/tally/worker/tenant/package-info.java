/**
 * Tenants and their keys. PostgreSQL is the record; the compacted {@code tally.tenants.v2} topic is how gateways,
 * which hold no database, learn the keys.
 */
package io.tally.worker.tenant;
