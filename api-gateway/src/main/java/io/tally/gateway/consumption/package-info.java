/**
 * The License API endpoints ({@code /api/v4/...}): each call is authenticated and validated here, turned into a signed
 * command on {@code tally.commands.v1}, and answered with the worker's reply.
 */
package io.tally.gateway.consumption;
