package io.tally.worker.batch;

/**
 * A command's answer would not fit on the replies topic. Thrown inside the batch's PostgreSQL transaction, so nothing
 * the command did is kept; the command is then isolated and refused with {@code validation_error} (the gateway's caps
 * on orders and pages make this a second line of defence).
 */
public final class AnswerTooLargeException extends RuntimeException {

    public AnswerTooLargeException(String commandType, int bytes, int limit) {
        super("The answer to this " + commandType + " would be " + bytes + " bytes, more than the " + limit
                + " allowed; ask for less at a time");
    }
}
