package io.tally.gateway.signing;

import io.tally.gateway.api.ApiError;
import io.tally.gateway.api.ApiException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parsed {@code Authorization} header of a License API call, tolerant of what real SDKs send: parameter names in
 * any case ({@code apikey}, {@code apiKey}), spaces around commas and equals signs.
 */
record AuthorizationHeader(String algorithm, String headers, String signature, String apiKey) {

    private static final Pattern PARAMETER = Pattern.compile("\\s*([A-Za-z]+)\\s*=\\s*\"([^\"]*)\"\\s*(,|$)");

    static AuthorizationHeader parse(String header) {
        Map<String, String> parameters = new HashMap<>();
        Matcher matcher = PARAMETER.matcher(header);
        int position = 0;
        while (position < header.length()) {
            if (!matcher.find(position) || matcher.start() != position) {
                throw new ApiException(
                        ApiError.badRequest("authorization_invalid_headers", "Authorization header is malformed"));
            }
            parameters.put(matcher.group(1).toLowerCase(Locale.ROOT), matcher.group(2));
            position = matcher.end();
        }
        var parsed = new AuthorizationHeader(
                parameters.get("algorithm"),
                parameters.get("headers"),
                parameters.get("signature"),
                parameters.get("apikey"));
        if (parsed.algorithm == null || parsed.signature == null || parsed.apiKey == null || parsed.headers == null) {
            throw new ApiException(ApiError.badRequest(
                    "authorization_missing_params",
                    "Authorization header needs algorithm, headers, signature and apikey"));
        }
        return parsed;
    }

    /** Never prints the signature. */
    @Override
    public String toString() {
        return "AuthorizationHeader[algorithm=" + algorithm + ", headers=" + headers + ", apiKey=" + apiKey + "]";
    }
}
