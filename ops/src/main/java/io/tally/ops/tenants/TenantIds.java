package io.tally.ops.tenants;

import io.tally.ops.keys.TenantKeyChanges;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/** Tenant ids: lower-case letters, digits and dashes, as they appear in record keys, URLs and logs. */
final class TenantIds {

    /** What a tenant id may be: at most 64 (the column's width), starting with a letter or digit. */
    static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private static final int LONGEST_STEM = 40;

    private TenantIds() {}

    /**
     * An id for a new tenant called {@code name}: the name's letters and digits (accents dropped), lower-case and
     * dash-separated, at most 40 characters, then a dash and 8 random hex digits, so that two vendors of the same name
     * get different ids; {@code tenant-} and the digits when the name has no letter or digit.
     */
    static String fromName(String name) {
        String stem = Normalizer.normalize(name, Normalizer.Form.NFKD)
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        if (stem.length() > LONGEST_STEM) {
            stem = stem.substring(0, LONGEST_STEM).replaceAll("-+$", "");
        }
        String suffix = TenantKeyChanges.newApiKey().substring(0, 8);
        return stem.isEmpty() ? "tenant-" + suffix : stem + "-" + suffix;
    }
}
