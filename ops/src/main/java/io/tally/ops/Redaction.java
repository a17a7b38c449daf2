package io.tally.ops;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of what the tool prints: the user-info of a URL ({@code //user:password@host}), parameters that
 * carry a password, secret or token ({@code ?password=...}, {@code ;sslpassword=...}), and any secret value the tool
 * has read itself.
 */
public final class Redaction {

    static final String MASK = "***";

    private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/?#\\s]*@");
    /** A secret parameter's value ends at the next parameter, a blank, or the ": " that follows a URL in a message. */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)([\\w.-]*(?:password|passwd|pwd|secret|token|credential|jaas\\.config|keystore\\.key)[\\w.-]*=)"
                    + "[^&;\\s]*?(?=[&;\\s]|:\\s|:$|$)");

    private Redaction() {}

    /** {@code url} with its user-info and secret parameters masked; other parameters stay, they help diagnose. */
    public static String maskUrl(String url) {
        if (url == null) {
            return null;
        }
        return maskParameters(USER_INFO.matcher(url).replaceAll(MASK + "@"));
    }

    /**
     * The secrets {@code url} holds: a {@code user:password} user-info and the password in it, and the values of its
     * secret parameters. A driver that does not read user-info takes it for the host and may name that host in an
     * error, where {@link #maskUrl} no longer sees a URL; {@link #scrub} with these masks it there too. A user name
     * alone is no secret: masking it would mask that word everywhere.
     */
    public static Set<String> secretsIn(String url) {
        Set<String> secrets = new HashSet<>();
        if (url == null) {
            return secrets;
        }
        Matcher userInfo = USER_INFO.matcher(url);
        if (userInfo.find()) {
            String user = userInfo.group().substring(0, userInfo.group().length() - 1);
            int colon = user.indexOf(':');
            if (colon >= 0) {
                secrets.add(user);
                secrets.add(user.substring(colon + 1));
            }
        }
        Matcher parameter = SECRET_PARAMETER.matcher(url);
        while (parameter.find()) {
            secrets.add(parameter.group().substring(parameter.group(1).length()));
        }
        secrets.removeIf(String::isBlank);
        return secrets;
    }

    /**
     * {@code text} with every URL user-info, every secret parameter and every one of {@code secrets} masked.
     *
     * @param secrets values the tool read from secret files or the environment; blank ones are ignored
     */
    public static String scrub(String text, Collection<String> secrets) {
        if (text == null) {
            return null;
        }
        String scrubbed = text;
        // The longest first, so a secret that contains another is masked whole. Only where it stands as a value of its
        // own, so a weak password such as "postgres" masks itself, not the word PostgreSQL.
        for (String secret : secrets.stream()
                .filter(secret -> secret != null && !secret.isBlank())
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList()) {
            scrubbed = Pattern.compile("(?<![A-Za-z0-9])" + Pattern.quote(secret) + "(?![A-Za-z0-9])")
                    .matcher(scrubbed)
                    .replaceAll(Matcher.quoteReplacement(MASK));
        }
        return maskUrl(scrubbed);
    }

    private static String maskParameters(String text) {
        return SECRET_PARAMETER.matcher(text).replaceAll(match -> Matcher.quoteReplacement(match.group(1) + MASK));
    }
}
