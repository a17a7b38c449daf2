package io.tally.protocol;

/**
 * A record on one of Tally's topics that is not signed with an envelope key its reader has, or not as it now reads
 * (its value, key or a routing header changed): never used. The message never includes a signature.
 */
public final class ForgedRecordException extends RuntimeException {
    public ForgedRecordException(String problem) {
        super(problem, null, false, false);
    }
}
