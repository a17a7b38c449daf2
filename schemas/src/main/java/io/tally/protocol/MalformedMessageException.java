package io.tally.protocol;

/** A message on a topic that cannot be read as the type its topic promises. Permanent: retrying will not help. */
public final class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
