package io.tally.embedded;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generates hostile calls to every endpoint of the License API and the Management API: a valid request of the endpoint
 * (so that it passes authentication and reaches deep validation) with some of its fields replaced by hostile values
 * (control characters, lone surrogates, very long texts, deep and wide JSON, huge, negative and non-integer numbers,
 * out-of-range dates, wrong types), and sometimes the whole body broken (duplicate keys, invalid UTF-8, truncation).
 */
final class HostileCalls {

    /** One HTTP call: {@code body} null for GET; {@code licenseApi} says which signature it carries. */
    record Call(String method, String path, byte[] body, Map<String, String> headers, boolean licenseApi) {
        String describe() {
            String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
            return method + " " + path + " " + headers + " "
                    + (text.length() > 600 ? text.substring(0, 600) + "…(" + body.length + " bytes)" : text);
        }
    }

    /** A JSON fragment written as is. */
    record Raw(String json) {}

    private final String product;
    private final String licenseKey;
    private final String hardwareId;
    private final String feature;
    private final long licenseId;
    private final long spareLicenseId;

    /**
     * @param spareLicenseId a license the calls may reset, disable and enable (the totals of the others are checked)
     */
    HostileCalls(
            String product, String licenseKey, String hardwareId, String feature, long licenseId, long spareLicenseId) {
        this.product = product;
        this.licenseKey = licenseKey;
        this.hardwareId = hardwareId;
        this.feature = feature;
        this.licenseId = licenseId;
        this.spareLicenseId = spareLicenseId;
    }

    static Arbitrary<Raw> hostileValues() {
        Arbitrary<Raw> fixed = Arbitraries.of(
                        "\"a\\u0000b\"",
                        "\"\\u0000\"",
                        "\"\\ud800\"",
                        "\"x\\udc00y\"",
                        "\"\\u202e\"",
                        "\"\\u0085\"",
                        "\"\\u001f\\u007f\"",
                        "\"\"",
                        "\" \"",
                        "\"" + "x".repeat(256) + "\"",
                        "\"" + "é".repeat(70_000) + "\"",
                        "\"🚀\"",
                        "1e400",
                        "-1e400",
                        "1.5",
                        "-1",
                        "0",
                        "-0",
                        "2147483648",
                        "-2147483649",
                        "9223372036854775808",
                        "-9223372036854775809",
                        "123456789012345678901234567890",
                        "1000000000000001",
                        "\"+300000-01-01T00:00:00Z\"",
                        "\"-5000-01-01T00:00:00Z\"",
                        "\"0000-01-01\"",
                        "\"1969-12-31\"",
                        "\"9999-12-31T23:59:59Z\"",
                        "\"2026-02-30\"",
                        "true",
                        "null",
                        "[]",
                        "{}",
                        "[1,2,3]",
                        "{\"a\":\"\\u0000\"}",
                        deep(40),
                        deep(20),
                        wide(3000))
                .map(Raw::new);
        Arbitrary<Raw> randomText = Arbitraries.strings()
                .all()
                .ofMaxLength(300)
                .map(HostileCalls::escaped)
                .map(Raw::new);
        Arbitrary<Raw> randomNumbers = Arbitraries.oneOf(
                        Arbitraries.longs().map(String::valueOf),
                        Arbitraries.doubles().map(String::valueOf))
                .map(Raw::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, fixed),
                net.jqwik.api.Tuple.of(2, randomText),
                net.jqwik.api.Tuple.of(1, randomNumbers));
    }

    /** Every character outside printable ASCII as a JSON escape: lone surrogates stay lone. */
    static String escaped(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                json.append(c);
            } else {
                json.append(String.format("\\u%04x", (int) c));
            }
        }
        return json.append('"').toString();
    }

    private static String deep(int levels) {
        return "[".repeat(levels) + "1" + "]".repeat(levels);
    }

    private static String wide(int members) {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < members; i++) {
            json.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        return json.append('}').toString();
    }

    Arbitrary<Call> calls() {
        Arbitrary<String> endpoint = Arbitraries.of(
                "add_consumption",
                "add_feature_consumption",
                "activate_license",
                "deactivate_license",
                "batch",
                "check_license",
                "check_license_feature",
                "requests",
                "products",
                "product-features",
                "create_order",
                "license-product-features",
                "license",
                "consumptions",
                "disable",
                "enable",
                "reset_consumption",
                "blacklist");
        Arbitrary<List<Raw>> values = hostileValues().list().ofSize(12);
        Arbitrary<List<Integer>> picks =
                Arbitraries.integers().between(0, 40).list().ofSize(12);
        Arbitrary<Integer> breakage = Arbitraries.integers().between(0, 19);
        Arbitrary<Long> salt = Arbitraries.longs().between(0, Long.MAX_VALUE);
        return Combinators.combine(endpoint, values, picks, breakage, salt).as(this::call);
    }

    private Call call(String endpoint, List<Raw> values, List<Integer> picks, int breakage, long salt) {
        Map<String, Object> body = template(endpoint, salt);
        List<String> fields = new ArrayList<>(body.keySet());
        // Replace some fields (most calls keep most of them, to pass the early checks and reach the later ones).
        for (int i = 0; i < picks.size(); i++) {
            int pick = picks.get(i);
            if (!fields.isEmpty() && pick < fields.size() * 2 && pick % 2 == 0) {
                body.put(fields.get(pick / 2 % fields.size()), values.get(i));
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (salt % 5 == 0) {
            headers.put("Idempotency-Key", salt % 3 == 0 ? "k".repeat(300) : "key-" + salt % 50);
        }
        if (salt % 11 == 0) {
            headers.put("Prefer", "respond-async");
        }
        return switch (endpoint) {
            case "check_license", "check_license_feature" ->
                new Call("GET", "/api/v4/" + endpoint + "?" + query(body, salt), null, headers, true);
            case "requests" -> new Call("GET", "/api/v4/requests/" + pathId(salt), null, headers, true);
            case "license" -> new Call("GET", "/api/v1/licenses/" + pathId(salt) + "/", null, headers, false);
            case "consumptions" ->
                new Call(
                        "GET",
                        "/api/v1/licenses/" + (salt % 4 == 0 ? pathId(salt) : licenseId) + "/consumptions/?"
                                + query(body, salt),
                        null,
                        headers,
                        false);
            case "disable", "enable", "reset_consumption" ->
                new Call(
                        "POST",
                        "/api/v1/licenses/" + (salt % 2 == 0 ? spareLicenseId : unknownId(salt)) + "/" + endpoint
                                + (endpoint.equals("reset_consumption") ? "" : "/"),
                        new byte[0],
                        headers,
                        false);
            case "blacklist" ->
                new Call("POST", "/api/v1/devices/" + pathId(salt) + "/blacklist/", new byte[0], headers, false);
            case "products" -> post("/api/v1/products/", body, breakage, salt, headers, false);
            case "product-features" -> post("/api/v1/product-features/", body, breakage, salt, headers, false);
            case "create_order" -> post("/api/v1/orders/create_order/", body, breakage, salt, headers, false);
            case "license-product-features" ->
                post("/api/v1/license-product-features/", body, breakage, salt, headers, false);
            default -> post("/api/v4/" + endpoint, body, breakage, salt, headers, true);
        };
    }

    private Map<String, Object> template(String endpoint, long salt) {
        Map<String, Object> body = new LinkedHashMap<>();
        switch (endpoint) {
            case "products" -> {
                body.put("product_name", "Fuzz " + salt);
                body.put("short_code", "fuzz-" + salt % 1000);
                body.put("authorization_method", salt % 2 == 0 ? "license-key" : "user");
                body.put("default_license_type", "consumption");
                body.put("max_consumptions", 100);
                body.put("allow_overages", true);
                body.put("max_overages", 5);
                body.put("reset_consumption", false);
                body.put("consumption_period", "monthly");
                body.put("max_activations", 3);
            }
            case "product-features" -> {
                body.put("product", 1);
                body.put("code", "f" + salt % 1000);
                body.put("name", "Feature");
                body.put("feature_type", "consumption");
                body.put("max_consumption", 10);
                body.put("allow_overages", false);
                body.put("consumption_period", "daily");
            }
            case "create_order" -> {
                Map<String, Object> license = new LinkedHashMap<>();
                license.put("key", "FUZZ-" + salt);
                license.put("license_type", "consumption");
                license.put("max_consumptions", 50);
                license.put("validity_period", "2030-01-01");
                license.put("max_activations", 2);
                body.put("id", "order-" + salt);
                body.put("customer", Map.of("email", "fuzz@example.com"));
                body.put("items", List.of(Map.of("product_code", product, "licenses", List.of(license))));
                body.put("validity_period", "2030-01-01T00:00:00Z");
            }
            case "license-product-features" -> {
                body.put("license", licenseId);
                body.put("product_feature", 1);
                body.put("max_consumption", 20);
                body.put("allow_overages", true);
                body.put("max_overages", 2);
            }
            case "consumptions" -> {
                body.put("from", "2026-01-01");
                body.put("to", "2030-01-01T00:00:00Z");
                body.put("limit", 10);
                if (salt % 3 == 0) {
                    // A well-formed cursor, as a page's next link carries one.
                    body.put(
                            "cursor",
                            java.util.Base64.getUrlEncoder()
                                    .withoutPadding()
                                    .encodeToString(("2027-01-01T00:00:00Z|" + new java.util.UUID(salt, salt))
                                            .getBytes(StandardCharsets.UTF_8)));
                } else {
                    body.put("offset", 0);
                }
            }
            case "batch" -> {
                Map<String, Object> operation = identity(salt);
                operation.put("op", salt % 2 == 0 ? "add_consumption" : "add_feature_consumption");
                operation.put("feature", feature);
                operation.put("consumptions", 1);
                body.put("operations", List.of(operation, Map.of("op", "add_consumption")));
            }
            default -> {
                body.putAll(identity(salt));
                body.put("consumptions", 1);
                body.put("feature", feature);
                body.put("allow_overages", salt % 2 == 0);
                body.put("max_overages", 1);
                body.put("event", List.of("consumption_add"));
                body.put("hostname", "host-" + salt);
                body.put("os_ver", "Linux");
                body.put("app_ver", "1.0");
                body.put("sdk_ver", "1.4.0");
                body.put("vm_info", "none");
                body.put("is_vm", false);
                body.put("mac_address", "00:11:22:33:44:55");
                body.put("variables", Map.of("plan", "pro", "seats", 3));
                body.put("license_id", licenseId);
            }
        }
        return body;
    }

    private Map<String, Object> identity(long salt) {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("product", product);
        identity.put("license_key", licenseKey);
        identity.put("hardware_id", salt % 3 == 0 ? "fuzz-device-" + salt % 7 : hardwareId);
        return identity;
    }

    private static Call post(
            String path,
            Map<String, Object> body,
            int breakage,
            long salt,
            Map<String, String> headers,
            boolean license) {
        byte[] bytes = json(body).getBytes(StandardCharsets.UTF_8);
        bytes = switch (breakage) {
            case 0 -> duplicateKey(bytes); // the same key twice
            case 1 -> invalidUtf8(bytes, salt);
            case 2 -> java.util.Arrays.copyOf(bytes, (int) (salt % Math.max(1, bytes.length))); // truncated
            case 3 -> concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bytes); // byte order mark
            default -> bytes;
        };
        return new Call("POST", path, bytes, headers, license);
    }

    private static byte[] duplicateKey(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        if (!text.startsWith("{\"") || colon < 0) {
            return bytes;
        }
        String firstKey = text.substring(1, colon);
        return ("{" + firstKey + ":\"other\"," + text.substring(1)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] invalidUtf8(byte[] bytes, long salt) {
        byte[] broken = bytes.clone();
        int at = (int) (salt % Math.max(1, broken.length));
        // Inside a string where there is one: a byte no UTF-8 sequence starts with, or a truncated sequence.
        broken[at] = salt % 2 == 0 ? (byte) 0xFF : (byte) 0xC3;
        return broken;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** Query parameters: the body's fields as text, some replaced by hostile percent-encoded values. */
    private static String query(Map<String, Object> body, long salt) {
        List<String> hostile = List.of(
                "a%00b",
                "%FF",
                "%C3%28",
                "%ED%A0%80",
                "x".repeat(300),
                "%2B300000-01-01T00:00:00Z",
                "-1",
                "99999999999999999999",
                "1.5",
                "",
                "%E2%80%AE",
                "0000-01-01",
                "10000-01-01");
        StringBuilder query = new StringBuilder();
        int i = 0;
        for (Map.Entry<String, Object> field : body.entrySet()) {
            Object value = field.getValue();
            if (value instanceof Map || value instanceof List) {
                continue;
            }
            String text = value instanceof Raw raw
                    ? hostile.get((int) ((salt + i) % hostile.size()))
                    : java.net.URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8);
            query.append(query.isEmpty() ? "" : "&")
                    .append(field.getKey())
                    .append('=')
                    .append(text);
            i++;
        }
        return query.toString();
    }

    /** Ids of no license of the tenant: the totals of the others must add up to their ledgers. */
    private static String unknownId(long salt) {
        List<String> ids = List.of("0", "-1", "99999999999999999999", "abc", "%00", "987654321", "1.5", "%FF");
        return ids.get((int) (salt % ids.size()));
    }

    private static String pathId(long salt) {
        List<String> ids = List.of("0", "-1", "99999999999999999999", "abc", "%00", "1", "2", "3", "1.5", "%FF");
        return ids.get((int) (salt % ids.size()));
    }

    /** JSON with {@link Raw} fragments written as they are. */
    static String json(Object value) {
        return switch (value) {
            case null -> "null";
            case Raw raw -> raw.json();
            case String text -> escaped(text);
            case Map<?, ?> map -> {
                StringBuilder json = new StringBuilder("{");
                map.forEach((key, member) -> json.append(json.length() == 1 ? "" : ",")
                        .append(escaped(String.valueOf(key)))
                        .append(':')
                        .append(json(member)));
                yield json.append('}').toString();
            }
            case List<?> list -> {
                StringBuilder json = new StringBuilder("[");
                list.forEach(
                        element -> json.append(json.length() == 1 ? "" : ",").append(json(element)));
                yield json.append(']').toString();
            }
            default -> String.valueOf(value);
        };
    }
}
