/**
 * One validator for every field of every API call, License and Management alike ({@link
 * io.tally.gateway.validation.RequestFields}), with the limits each field is held to ({@link
 * io.tally.gateway.validation.InputLimits}). A call that breaks one is refused with 400 {@code validation_error} (or
 * {@code invalid_json}, {@code missing_parameters}) before anything is produced, so that no value reaches the worker
 * that PostgreSQL cannot store or Kafka cannot carry.
 */
package io.tally.gateway.validation;
