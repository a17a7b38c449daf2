/** The operators' tool: replay, redrive, rebuild. */
package io.tally.ops;
