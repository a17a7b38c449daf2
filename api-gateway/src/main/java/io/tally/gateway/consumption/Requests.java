package io.tally.gateway.consumption;

import io.tally.gateway.validation.InputLimits;
import io.tally.gateway.validation.RequestFields;
import io.tally.protocol.Command;
import io.tally.protocol.LicenseRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Helpers shared by the License API and Management API endpoints. */
public final class Requests {

    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

    private Requests() {}

    /** The license a License API call names. */
    public static LicenseRef licenseRef(RequestFields fields) {
        String licenseKey = fields.text("license_key");
        String username = licenseKey == null ? fields.text("username") : null;
        Long licenseId = fields.int64("license_id", 1, Long.MAX_VALUE);
        return new LicenseRef(fields.text("product"), licenseKey, username, licenseId);
    }

    /**
     * What makes two requests "the same" for an Idempotency-Key: the endpoint and the request's JSON with object keys
     * sorted, so that whitespace and key order do not matter. Returns {@code null} without a key.
     */
    public static Command.Idempotency idempotency(
            JsonMapper mapper, String key, String endpoint, JsonNode request, InputLimits limits) {
        if (key == null || key.isBlank()) {
            return null;
        }
        RequestFields.checkedText(IDEMPOTENCY_KEY_HEADER, key, limits);
        byte[] canonical = mapper.writeValueAsBytes(sorted(mapper, request));
        MessageDigest sha256 = sha256();
        sha256.update(endpoint.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) '\n');
        return new Command.Idempotency(key, HexFormat.of().formatHex(sha256.digest(canonical)));
    }

    /** base64 SHA-256 of {@code username:password}: what the worker stores and compares, never the password. */
    public static String passwordDigest(String username, String password) {
        return Base64.getEncoder()
                .encodeToString(sha256().digest((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
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
                result.set(name, sorted(mapper, node.get(name)));
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
