package io.tally.ops;

/**
 * A failure the tool has already put into words for the operator, e.g. {@code cannot reach PostgreSQL at ...}. Its
 * message is printed as it is (after {@link Redaction}), so it must name the cause, not hold secrets.
 */
public final class CannotRunException extends RuntimeException {

    public CannotRunException(String message, Throwable cause) {
        super(message, cause);
    }
}
