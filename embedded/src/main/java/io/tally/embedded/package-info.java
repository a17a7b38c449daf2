/**
 * The embedded default: starts real infrastructure and both services in one JVM. Also the wiring integration tests
 * use to run the whole pipeline.
 */
package io.tally.embedded;
