/**
 * The one fixture every integration test uses for real infrastructure. {@code -Dtest.infra=auto|docker|embedded}
 * picks Testcontainers or the embedded broker and database; {@code auto} probes Docker with a timeout first.
 */
package io.tally.testsupport;
