package io.tally.gateway.consumption;

import io.tally.gateway.api.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fields of a License API request, from a JSON body (POST) or query parameters (GET), with the reference's
 * errors: {@code invalid_json}, {@code missing_parameters} (naming every missing field) and {@code validation_error}
 * (naming the field and why). Unknown fields are ignored; a field sent as JSON {@code null} counts as absent. Query
 * parameters are text, so numbers and booleans given there are parsed from it.
 */
final class RequestFields {

    static final int MAX_TEXT = 255;

    private final JsonNode root;
    private final boolean fromQuery;

    private RequestFields(JsonNode root, boolean fromQuery) {
        this.root = root;
        this.fromQuery = fromQuery;
    }

    static RequestFields ofBody(JsonMapper mapper, byte[] body) {
        JsonNode root;
        try {
            root = body == null || body.length == 0 ? null : mapper.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("invalid_json", "Request body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("invalid_json", "Request body must be a JSON object");
        }
        return new RequestFields(root, false);
    }

    /** The fields of one object inside a request (an operation of a batch). */
    static RequestFields ofNode(JsonNode object) {
        return new RequestFields(object, false);
    }

    static RequestFields ofQuery(JsonMapper mapper, Map<String, String> parameters) {
        ObjectNode root = mapper.createObjectNode();
        parameters.forEach(root::put);
        return new RequestFields(root, true);
    }

    /** Refuses with {@code missing_parameters} naming each absent field; {@code a|b} means one of them. */
    RequestFields require(String... names) {
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            String[] alternatives = name.split("\\|");
            boolean present = false;
            for (String alternative : alternatives) {
                present |= has(alternative);
            }
            if (!present) {
                missing.add(String.join(" or ", alternatives));
            }
        }
        if (!missing.isEmpty()) {
            throw ApiException.badRequest("missing_parameters", "Missing parameters: " + String.join(", ", missing));
        }
        return this;
    }

    boolean has(String field) {
        JsonNode value = root.get(field);
        return value != null
                && !value.isNull()
                && !(fromQuery && value.asString().isEmpty());
    }

    String text(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode value = root.get(field);
        if (!value.isString()) {
            throw invalid(field, "must be a string");
        }
        String text = value.asString();
        if (text.isBlank()) {
            throw invalid(field, "must not be empty");
        }
        if (text.length() > MAX_TEXT) {
            throw invalid(field, "must be at most " + MAX_TEXT + " characters");
        }
        if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw invalid(field, "must not contain control characters");
        }
        if (!wellFormed(text)) {
            throw invalid(field, "must be well-formed Unicode (no lone surrogates)");
        }
        if (text.chars().anyMatch(RequestFields::isBidiControl)) {
            // An identifier that renders differently from how it compares invites spoofing in dashboards and logs.
            throw invalid(field, "must not contain bidirectional control characters");
        }
        return text;
    }

    Integer int32(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode value = root.get(field);
        if (fromQuery) {
            try {
                return Integer.parseInt(value.asString());
            } catch (NumberFormatException e) {
                throw invalid(field, "must be an integer between -2147483648 and 2147483647");
            }
        }
        if (!value.isIntegralNumber()) {
            throw invalid(field, "must be an integer");
        }
        if (!value.canConvertToInt()) {
            throw invalid(field, "must be between -2147483648 and 2147483647");
        }
        return value.intValue();
    }

    Long int64(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode value = root.get(field);
        if (fromQuery) {
            try {
                return Long.parseLong(value.asString());
            } catch (NumberFormatException e) {
                throw invalid(field, "must be an integer");
            }
        }
        if (!value.isIntegralNumber()) {
            throw invalid(field, "must be an integer");
        }
        if (!value.canConvertToLong()) {
            throw invalid(field, "must be between -9223372036854775808 and 9223372036854775807");
        }
        return value.longValue();
    }

    Boolean bool(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode value = root.get(field);
        if (fromQuery && (value.asString().equals("true") || value.asString().equals("false"))) {
            return Boolean.parseBoolean(value.asString());
        }
        if (!value.isBoolean()) {
            throw invalid(field, "must be a boolean");
        }
        return value.booleanValue();
    }

    JsonNode root() {
        return root;
    }

    /** The raw value, for fields passed on as given (device details). */
    JsonNode node(String field) {
        return has(field) ? root.get(field) : null;
    }

    private static boolean wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBidiControl(int c) {
        return (c >= 0x202A && c <= 0x202E)
                || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200E
                || c == 0x200F
                || c == 0x061C;
    }

    static ApiException invalid(String field, String why) {
        return ApiException.badRequest("validation_error", field + ": " + why);
    }
}
