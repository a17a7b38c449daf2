/**
 * Where every decision about a license is made: {@link io.tally.worker.license.LicenseRules} is a pure function of
 * license state, command and the command's accepted-at time; {@link io.tally.worker.license.LicenseStore} loads and
 * saves license state with jOOQ.
 */
package io.tally.worker.license;
