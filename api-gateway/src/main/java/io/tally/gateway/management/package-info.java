/**
 * The Management API ({@code /api/v1/...}) for setting up products, features, orders and licenses, authenticated with
 * the tenant's management key. Every write travels the commands topic like License API calls do.
 */
package io.tally.gateway.management;
