package io.tally.worker.consumption;

import io.tally.protocol.Rejection;

/** The outcome of deciding one command: the license's new state, or a refusal that changes nothing. */
sealed interface Decision {

    record Applied(LicenseState before, LicenseState after) implements Decision {}

    record Rejected(Rejection rejection) implements Decision {}
}
