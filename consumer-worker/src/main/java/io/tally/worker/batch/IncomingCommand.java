package io.tally.worker.batch;

import io.tally.protocol.Command;
import java.util.Objects;

/**
 * A verified command with the position it was read from.
 *
 * @param partition partition of {@code tally.commands.v1} it came from
 * @param offset its offset there
 */
public record IncomingCommand(Command command, int partition, long offset) {
    public IncomingCommand {
        Objects.requireNonNull(command, "command");
    }
}
