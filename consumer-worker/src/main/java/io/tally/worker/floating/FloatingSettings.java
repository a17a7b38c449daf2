package io.tally.worker.floating;

import java.time.Duration;

/**
 * How a floating-cloud license (or one of its features) shares its seats.
 *
 * @param users devices that may hold a seat at once ({@code floating_users})
 * @param timeoutMinutes a seat is held this long after its device's last check-in ({@code floating_timeout})
 * @param canBorrow whether a device may borrow its seat for offline use ({@code can_borrow})
 * @param maxBorrowHours the longest borrow ({@code max_borrow_time}), from the borrow's own time
 */
public record FloatingSettings(int users, int timeoutMinutes, boolean canBorrow, int maxBorrowHours) {

    public FloatingSettings {
        if (users < 0 || timeoutMinutes < 1 || maxBorrowHours < 0) {
            throw new IllegalArgumentException("floating settings out of range: users " + users + ", timeout "
                    + timeoutMinutes + " min, max borrow " + maxBorrowHours + " h");
        }
    }

    public Duration timeout() {
        return Duration.ofMinutes(timeoutMinutes);
    }

    public Duration maxBorrow() {
        return Duration.ofHours(maxBorrowHours);
    }
}
