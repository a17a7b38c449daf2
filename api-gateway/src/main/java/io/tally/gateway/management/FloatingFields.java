package io.tally.gateway.management;

import io.tally.gateway.validation.RequestFields;
import io.tally.protocol.FloatingSpec;

/**
 * The floating fields of the Management API's products, order licenses and product features, checked: a floating
 * setting is a small number of seats, minutes or hours, never negative. Stateless.
 */
final class FloatingFields {

    /** At most this many devices may share one license or feature. */
    static final int MAX_FLOATING_USERS = 1_000_000;

    /** A seat is held at most a year (in minutes) after its last check-in. */
    static final int MAX_FLOATING_TIMEOUT = 525_600;

    /** A borrow lasts at most a year (in hours). */
    static final int MAX_BORROW_TIME = 8_760;

    private FloatingFields() {}

    /**
     * The floating settings {@code node} gives ({@code is_floating_cloud}, {@code floating_users},
     * {@code floating_timeout}, and with {@code borrowing} also {@code can_borrow}, {@code max_borrow_time});
     * absent ones are {@code null}.
     */
    static FloatingSpec of(RequestFields node, boolean borrowing) {
        return new FloatingSpec(
                node.bool("is_floating_cloud"),
                node.int32("floating_users", 0, MAX_FLOATING_USERS),
                node.int32("floating_timeout", 1, MAX_FLOATING_TIMEOUT),
                borrowing ? node.bool("can_borrow") : null,
                borrowing ? node.int32("max_borrow_time", 0, MAX_BORROW_TIME) : null);
    }
}
