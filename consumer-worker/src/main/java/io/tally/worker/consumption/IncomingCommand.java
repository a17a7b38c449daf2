package io.tally.worker.consumption;

import io.tally.protocol.ConsumeLicense;
import java.util.Objects;

/**
 * A verified command with the position it was read from.
 *
 * @param partition partition of {@code tally.commands.v1} it came from
 * @param offset its offset there
 */
public record IncomingCommand(ConsumeLicense command, int partition, long offset) {
    public IncomingCommand {
        Objects.requireNonNull(command, "command");
    }
}
