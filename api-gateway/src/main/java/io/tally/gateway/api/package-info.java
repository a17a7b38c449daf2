/** The License API's wire conventions shared by every endpoint: the error body, its codes, and JSON writing. */
package io.tally.gateway.api;
