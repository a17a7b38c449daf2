package io.tally.gateway.consumption;

import io.tally.gateway.validation.InputLimits;
import io.tally.gateway.validation.RequestFields;
import io.tally.protocol.Command;
import io.tally.protocol.LicenseRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Helpers shared by the License API and Management API endpoints. */
public final class Requests {

    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

    private Requests() {}

    /**
     * The fields every License API call about a device needs ({@code hardware_id}, {@code product}, and
     * {@code license_key} or {@code username}), then {@code more}, for {@link RequestFields#require}.
     */
    public static String[] identity(String... more) {
        String[] fields = new String[3 + more.length];
        fields[0] = "hardware_id";
        fields[1] = "product";
        fields[2] = "license_key|username";
        System.arraycopy(more, 0, fields, 3, more.length);
        return fields;
    }

    /** The license a License API call names. */
    public static LicenseRef licenseRef(RequestFields fields) {
        String licenseKey = fields.text("license_key");
        String username = licenseKey == null ? fields.text("username") : null;
        Long licenseId = fields.int64("license_id", 1, Long.MAX_VALUE);
        return new LicenseRef(fields.text("product"), licenseKey, username, licenseId);
    }

    /** Which API an Idempotency-Key was sent to: each has a key space of its own. */
    public enum Api {
        /** The License API, called by end users' apps with the shared key. */
        LICENSE("L:"),
        /** The Management API, called by the vendor with the management key. */
        MANAGEMENT("M:");

        private final String prefix;

        Api(String prefix) {
            this.prefix = prefix;
        }
    }

    /** Keys longer than this are kept as their digest, so that the scoped key fits the worker's column. */
    private static final int LONGEST_KEPT_KEY = 200;

    /**
     * What makes two requests "the same" for an Idempotency-Key: the endpoint and the request's JSON with object keys
     * sorted, so that whitespace and key order do not matter, without its {@code password} fields (a digest of a body
     * whose other fields the topic shows would give the password away; the worker checks a password at every
     * activation anyway). The key is scoped per {@code api} (and per tenant by the worker), so that an end user's app
     * cannot take a key the vendor's next Management API call uses. Returns {@code null} without a key.
     */
    public static Command.Idempotency idempotency(
            JsonMapper mapper, Api api, String key, String endpoint, JsonNode request, InputLimits limits) {
        if (key == null || key.isBlank()) {
            return null;
        }
        RequestFields.checkedText(IDEMPOTENCY_KEY_HEADER, key, limits);
        byte[] canonical = mapper.writeValueAsBytes(sorted(mapper, request));
        MessageDigest sha256 = sha256();
        sha256.update(endpoint.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) '\n');
        String fingerprint = HexFormat.of().formatHex(sha256.digest(canonical));
        String kept = key.length() <= LONGEST_KEPT_KEY
                ? key
                : "sha256:" + HexFormat.of().formatHex(sha256().digest(key.getBytes(StandardCharsets.UTF_8)));
        return new Command.Idempotency(api.prefix + kept, fingerprint);
    }

    private static JsonNode sorted(JsonMapper mapper, JsonNode node) {
        if (node == null) {
            return mapper.nullNode();
        }
        if (node.isObject()) {
            ObjectNode result = mapper.createObjectNode();
            List<String> names = new ArrayList<>(node.propertyNames());
            names.sort(null);
            for (String name : names) {
                if (!name.equals("password")) {
                    result.set(name, sorted(mapper, node.get(name)));
                }
            }
            return result;
        }
        if (node.isArray()) {
            var result = mapper.createArrayNode();
            node.forEach(element -> result.add(sorted(mapper, element)));
            return result;
        }
        return node;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
