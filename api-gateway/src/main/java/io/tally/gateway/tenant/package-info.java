/** The tenants' keys, learned from the compacted {@code tally.tenants.v2} topic: the gateway holds no database. */
package io.tally.gateway.tenant;
