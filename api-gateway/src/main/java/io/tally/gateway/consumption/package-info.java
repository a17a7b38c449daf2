/**
 * {@code POST /api/v4/add_consumption}: validates the body, turns it into a signed {@code ConsumeLicense} command on
 * {@code tally.commands.v1}, and answers with the worker's reply.
 */
package io.tally.gateway.consumption;
