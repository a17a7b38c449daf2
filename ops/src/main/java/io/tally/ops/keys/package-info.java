/** Rotating tenants' API keys: a further key, revoking one, listing them. */
package io.tally.ops.keys;
