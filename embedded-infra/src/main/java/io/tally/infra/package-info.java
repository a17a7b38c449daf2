/**
 * Real infrastructure for machines without Docker: a Kafka broker in KRaft mode running in this JVM, and a PostgreSQL
 * server run as a child process from the binaries published on Maven Central. Used by the embedded default and by
 * integration tests; production deployments use their own Kafka and PostgreSQL.
 */
package io.tally.infra;
