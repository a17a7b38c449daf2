package io.tally.gateway.status;

/**
 * Calls naming one license in some span of time.
 *
 * @param license the license as the status page shows it ({@link LicenseLabel}), never its full key
 * @param calls every call naming it, refused ones included
 * @param succeeded those answered 2xx
 */
public record LicenseCalls(String license, long calls, long succeeded) {

    public LicenseCalls {
        if (calls < 0 || succeeded < 0 || succeeded > calls) {
            throw new IllegalArgumentException("0 <= succeeded <= calls must hold: " + succeeded + "/" + calls);
        }
    }

    LicenseCalls plus(LicenseCalls other) {
        return new LicenseCalls(license, calls + other.calls, succeeded + other.succeeded);
    }
}
