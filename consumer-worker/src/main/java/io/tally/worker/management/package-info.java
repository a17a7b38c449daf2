/** Management API commands that create data: products, product features, orders and their licenses. */
package io.tally.worker.management;
