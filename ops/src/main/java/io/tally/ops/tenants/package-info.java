/** Tenants as a lifecycle: creating a vendor's company with its own keys, listing, disabling, rotating its management key. */
package io.tally.ops.tenants;
