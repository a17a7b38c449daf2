/** A License API client that signs requests as LicenseSpring's SDKs do, and the {@code tally-client} command line. */
package io.tally.client;
