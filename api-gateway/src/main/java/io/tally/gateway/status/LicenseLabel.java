package io.tally.gateway.status;

import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;

/**
 * How the status page names a license: tenant, product and a masked key (or username). A license key is what an end
 * user types to unlock the software, and usernames are often e-mail addresses, so the page never shows more than a
 * third of one: the first four and last two characters of a key of eighteen or more (a {@code XXXX-XXXX-XXXX-XXXX}
 * key shows as {@code XXXX…XX}), at most the first four of a shorter one.
 */
public final class LicenseLabel {

    private LicenseLabel() {}

    public static String of(LicenseCommand command) {
        LicenseRef license = command.license();
        String name = license.licenseKey() != null ? license.licenseKey() : license.username();
        return command.tenantId() + " / " + license.product() + " / " + masked(name);
    }

    static String masked(String secret) {
        int length = secret.length();
        String head = secret.substring(0, Math.min(4, length / 3));
        return length >= 18 ? head + "…" + secret.substring(length - 2) : head + "…";
    }
}
