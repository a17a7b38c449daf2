package io.tally.worker.consumption;

/** How a license knows a device. A blacklisted device is refused whether or not it is active. */
enum DeviceStatus {
    ACTIVE,
    INACTIVE,
    BLACKLISTED,
    UNKNOWN
}
