package io.tally.protocol;

import java.util.Objects;
import java.util.UUID;

/**
 * The answer to one command, on {@link Topics#REPLIES}. A command delivered twice gets the same reply twice: the
 * second one is read back from the ledger, not decided again.
 */
public record CommandReply(UUID commandId, CommandResult result) {

    public CommandReply {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(result, "result");
    }
}
