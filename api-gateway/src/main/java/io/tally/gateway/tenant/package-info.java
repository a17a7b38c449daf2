/** The tenants' keys, learned from the compacted {@code tally.tenants.v1} topic: the gateway holds no database. */
package io.tally.gateway.tenant;
