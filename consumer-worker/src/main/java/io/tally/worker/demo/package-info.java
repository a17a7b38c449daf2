/** Seeds the demo tenant of the embedded default: a tenant, a consumption product, a license and an active device. */
package io.tally.worker.demo;
