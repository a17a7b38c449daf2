package io.tally.gateway.consumption;

import io.tally.gateway.api.ApiException;
import io.tally.protocol.LicenseRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A validated {@code add_consumption} body. Unknown fields are ignored; a field sent as JSON {@code null} counts as
 * absent.
 *
 * @param consumptions defaults to 1; any 32-bit integer, negative included (the worker decides whether it is allowed)
 */
record AddConsumptionRequest(
        LicenseRef license, String hardwareId, int consumptions, Boolean allowOverages, Integer maxOverages) {

    private static final Set<String> EVENTS = Set.of("consumption_add", "offline_floating_consumptions_sync");

    /**
     * Parses and validates, refusing with {@code invalid_json}, {@code missing_parameters} (naming every missing
     * field) or {@code validation_error} (naming the field and why).
     */
    static AddConsumptionRequest parse(JsonMapper mapper, byte[] body) {
        JsonNode root;
        try {
            root = body == null || body.length == 0 ? null : mapper.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("invalid_json", "Request body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("invalid_json", "Request body must be a JSON object");
        }
        List<String> missing = new ArrayList<>();
        if (absent(root, "hardware_id")) {
            missing.add("hardware_id");
        }
        if (absent(root, "product")) {
            missing.add("product");
        }
        if (absent(root, "license_key") && absent(root, "username")) {
            missing.add("license_key or username");
        }
        if (!missing.isEmpty()) {
            throw ApiException.badRequest("missing_parameters", "Missing parameters: " + String.join(", ", missing));
        }
        String hardwareId = text(root, "hardware_id");
        String product = text(root, "product");
        String licenseKey = absent(root, "license_key") ? null : text(root, "license_key");
        String username = licenseKey != null || absent(root, "username") ? null : text(root, "username");
        int consumptions = absent(root, "consumptions") ? 1 : int32(root, "consumptions");
        Boolean allowOverages = absent(root, "allow_overages") ? null : bool(root, "allow_overages");
        Integer maxOverages = absent(root, "max_overages") ? null : int32(root, "max_overages");
        if (maxOverages != null && maxOverages < 0) {
            throw invalid("max_overages", "must not be negative");
        }
        if (!absent(root, "event")) {
            JsonNode event = root.get("event");
            if (!event.isArray()
                    || event.size() > 1
                    || (event.size() == 1 && !EVENTS.contains(event.get(0).asString("")))) {
                throw invalid(
                        "event",
                        "must be an array with one of "
                                + String.join(", ", EVENTS.stream().sorted().toList()));
            }
        }
        return new AddConsumptionRequest(
                new LicenseRef(product, licenseKey, username), hardwareId, consumptions, allowOverages, maxOverages);
    }

    private static boolean absent(JsonNode root, String field) {
        JsonNode value = root.get(field);
        return value == null || value.isNull();
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (!value.isString()) {
            throw invalid(field, "must be a string");
        }
        String text = value.asString();
        if (text.isBlank()) {
            throw invalid(field, "must not be empty");
        }
        if (text.length() > 255) {
            throw invalid(field, "must be at most 255 characters");
        }
        if (text.chars().anyMatch(c -> c < 0x20)) {
            throw invalid(field, "must not contain control characters");
        }
        return text;
    }

    private static int int32(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (!value.isIntegralNumber()) {
            throw invalid(field, "must be an integer");
        }
        if (!value.canConvertToInt()) {
            throw invalid(field, "must be between -2147483648 and 2147483647");
        }
        return value.intValue();
    }

    private static boolean bool(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (!value.isBoolean()) {
            throw invalid(field, "must be a boolean");
        }
        return value.booleanValue();
    }

    private static ApiException invalid(String field, String why) {
        return ApiException.badRequest("validation_error", field + ": " + why);
    }
}
