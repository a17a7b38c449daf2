package io.tally.worker.license;

import io.tally.protocol.CommandResult;
import io.tally.protocol.Rejection;
import io.tally.protocol.RejectionType;
import java.util.function.Function;

/** The outcome of deciding one command against one license. */
public sealed interface Decision {

    /**
     * The command succeeded; {@code after} is the state to keep (equal to {@code before} for reads).
     *
     * @param before the state the command was decided against (after any period reset)
     * @param result renders the answer from the state as saved (which knows the ids of new devices)
     */
    record Applied(LicenseState before, LicenseState after, Function<LicenseState, CommandResult> result)
            implements Decision {}

    /** The command was refused; nothing changes. */
    record Rejected(Rejection rejection) implements Decision {}

    static Decision reject(RejectionType type) {
        return new Rejected(Rejection.of(type));
    }
}
