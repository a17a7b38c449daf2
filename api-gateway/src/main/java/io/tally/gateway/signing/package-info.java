/**
 * Authentication of License API calls: the {@code Authorization: algorithm="hmac-sha256",headers="date",...} scheme
 * with the tenant's shared key, the clock-skew rule, and the error each failure gets.
 */
package io.tally.gateway.signing;
