package io.tally.gateway.validation;

import io.tally.gateway.api.ApiException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fields of one request, License API or Management API, from a JSON body, an object inside one, or query
 * parameters, each read through the same checks and {@link InputLimits}: {@code invalid_json}, {@code
 * missing_parameters} (naming every missing field) and {@code validation_error} (naming the field and why).
 *
 * <p>Every text is well-formed Unicode without control characters (NUL included), bidirectional controls or lone
 * surrogates, and at most {@link InputLimits#maxText} characters; every number is an integer within the bounds its
 * reader names; every date lies within {@link InputLimits#earliestDate} and {@link InputLimits#latestDate}. Unknown
 * fields are ignored; a field sent as JSON {@code null} counts as absent. Query parameters are text, so numbers and
 * booleans given there are parsed from it. Immutable; a new instance per request.
 */
public final class RequestFields {

    private final JsonNode root;
    private final boolean fromQuery;
    private final InputLimits limits;

    private RequestFields(JsonNode root, boolean fromQuery, InputLimits limits) {
        this.root = root;
        this.fromQuery = fromQuery;
        this.limits = limits;
    }

    /** The body's fields; refuses anything but one JSON object with {@code invalid_json}. */
    public static RequestFields ofBody(JsonMapper mapper, byte[] body, InputLimits limits) {
        JsonNode root;
        try {
            root = body == null || body.length == 0 ? null : mapper.readTree(body);
        } catch (JacksonException e) {
            // Also invalid UTF-8, duplicate keys and nesting deeper than the mapper allows (ApiJson).
            throw ApiException.badRequest("invalid_json", "Request body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("invalid_json", "Request body must be a JSON object");
        }
        return new RequestFields(root, false, limits);
    }

    /** The fields of one object inside a request (an operation of a batch, a license of an order). */
    public static RequestFields ofNode(JsonNode object, InputLimits limits) {
        return new RequestFields(object, false, limits);
    }

    public static RequestFields ofQuery(JsonMapper mapper, Map<String, String> parameters, InputLimits limits) {
        ObjectNode root = mapper.createObjectNode();
        parameters.forEach(root::put);
        return new RequestFields(root, true, limits);
    }

    /** Refuses with {@code missing_parameters} naming each absent field; {@code a|b} means one of them. */
    public RequestFields require(String... names) {
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

    public boolean has(String field) {
        JsonNode value = root.get(field);
        return value != null
                && !value.isNull()
                && !(fromQuery && value.asString().isEmpty());
    }

    /** A non-empty text, or {@code null} when absent. */
    public String text(String field) {
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
        return checkedText(field, text, limits);
    }

    /** A non-empty text, or {@code otherwise} when absent. */
    public String text(String field, String otherwise) {
        String text = text(field);
        return text == null ? otherwise : text;
    }

    /** A text, or {@code null} when absent, that must be one of {@code allowed}. */
    public String oneOf(String field, java.util.Collection<String> allowed) {
        String text = text(field);
        if (text != null && !allowed.contains(text)) {
            throw invalid(field, "must be one of " + String.join(", ", allowed));
        }
        return text;
    }

    /** Any 32-bit integer, or {@code null} when absent. */
    public Integer int32(String field) {
        Long value = integer(field, Integer.MIN_VALUE, Integer.MAX_VALUE);
        return value == null ? null : value.intValue();
    }

    /** An integer from {@code min} to {@code max}, or {@code null} when absent. */
    public Integer int32(String field, int min, int max) {
        Long value = integer(field, min, max);
        return value == null ? null : value.intValue();
    }

    /** Any 64-bit integer, or {@code null} when absent. */
    public Long int64(String field) {
        return integer(field, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** An integer from {@code min} to {@code max}, or {@code null} when absent. */
    public Long int64(String field, long min, long max) {
        return integer(field, min, max);
    }

    /** A {@code consumptions} count: at most {@link InputLimits#maxConsumptions} either way. */
    public Integer consumptions(String field) {
        return int32(field, (int) -limits.maxConsumptions(), (int) limits.maxConsumptions());
    }

    /** A limit ({@code max_consumptions}, {@code max_overages}): from 0 to {@link InputLimits#maxLimit}. */
    public Long limit(String field) {
        return int64(field, 0, limits.maxLimit());
    }

    public Boolean bool(String field) {
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

    /**
     * An ISO-8601 date ({@code 2026-11-28}, its start in UTC) or date-time with an offset ({@code
     * 2026-11-28T10:00:00Z}), within the configured range, or {@code null} when absent.
     */
    public Instant instant(String field) {
        String text = text(field);
        return text == null ? null : instant(field, text, limits);
    }

    /** {@link #instant(String)} for a value read elsewhere (a query parameter bound by name). */
    public static Instant instant(String field, String text, InputLimits limits) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        Instant at;
        try {
            at = text.length() == 10
                    ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw invalid(
                    field, "must be an ISO-8601 date (2026-11-28) or date-time with offset (2026-11-28T10:00:00Z)");
        }
        if (at.isBefore(limits.earliestDate()) || at.isAfter(limits.latestDate())) {
            throw invalid(field, "must be from " + limits.earliestDate() + " to " + limits.latestDate());
        }
        return at;
    }

    /** An array of 1 to {@code max} elements, or {@code null} when absent. */
    public JsonNode array(String field, int max) {
        if (!has(field)) {
            return null;
        }
        JsonNode value = root.get(field);
        if (!value.isArray() || value.isEmpty() || value.size() > max) {
            throw invalid(field, "must be an array of 1 to " + max + " elements");
        }
        return value;
    }

    /** An object, or {@code null} when absent. */
    public RequestFields object(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode value = root.get(field);
        if (!value.isObject()) {
            throw invalid(field, "must be an object");
        }
        return new RequestFields(value, false, limits);
    }

    /**
     * A device's details, as given, of the fields named: texts (empty allowed, as SDKs send them), booleans and
     * numbers as they are, and for {@code variables} any JSON within {@link InputLimits#maxDetailsDepth} and
     * {@link InputLimits#maxDetailsValues}, every text and key in it held to the text rules; all of it at most
     * {@link InputLimits#maxDetailsBytes} as JSON.
     */
    public Map<String, Object> details(JsonMapper mapper, java.util.Collection<String> fields) {
        Map<String, Object> details = new LinkedHashMap<>();
        int[] values = {0};
        for (String field : fields) {
            JsonNode value = root.get(field);
            if (value == null || value.isNull()) {
                continue;
            }
            if ((value.isObject() || value.isArray()) && !field.equals("variables")) {
                throw invalid(field, "must be a string, number or boolean");
            }
            details.put(field, detail(field, value, 1, values));
        }
        if (!details.isEmpty() && mapper.writeValueAsBytes(details).length > limits.maxDetailsBytes()) {
            throw invalid("device details", "must be at most " + limits.maxDetailsBytes() + " bytes as JSON");
        }
        return details;
    }

    private Object detail(String path, JsonNode value, int depth, int[] values) {
        if (++values[0] > limits.maxDetailsValues()) {
            throw invalid(path, "holds more than " + limits.maxDetailsValues() + " values");
        }
        if (depth > limits.maxDetailsDepth()) {
            throw invalid(path, "is nested deeper than " + limits.maxDetailsDepth() + " levels");
        }
        if (value.isString()) {
            return checkedText(path, value.asString(), limits);
        }
        if (value.isBoolean() || value.isNull()) {
            return value.isNull() ? null : value.booleanValue();
        }
        if (value.isIntegralNumber()) {
            if (!value.canConvertToLong() || Math.abs(value.longValue()) > limits.maxLimit()) {
                throw invalid(path, "must be a number within ±" + limits.maxLimit());
            }
            return value.longValue();
        }
        if (value.isNumber()) {
            double number = value.doubleValue();
            if (!Double.isFinite(number) || Math.abs(number) > limits.maxLimit()) {
                throw invalid(path, "must be a number within ±" + limits.maxLimit());
            }
            return number;
        }
        if (value.isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                list.add(detail(path + "[" + i + "]", value.get(i), depth + 1, values));
            }
            return list;
        }
        Map<String, Object> object = new LinkedHashMap<>();
        for (var member : value.properties()) {
            String key = checkedText(path + " key", member.getKey(), limits);
            object.put(key, detail(path + "." + key, member.getValue(), depth + 1, values));
        }
        return object;
    }

    public JsonNode root() {
        return root;
    }

    /** The raw value, or {@code null} when absent. */
    public JsonNode node(String field) {
        return has(field) ? root.get(field) : null;
    }

    /**
     * {@code text} held to the text rules (possibly empty): at most {@link InputLimits#maxText} characters, no control
     * characters, no bidirectional controls, no lone surrogates.
     */
    public static String checkedText(String field, String text, InputLimits limits) {
        if (text.length() > limits.maxText()) {
            throw invalid(field, "must be at most " + limits.maxText() + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                throw invalid(field, "must not contain control characters");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    throw invalid(field, "must be well-formed Unicode (no lone surrogates)");
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                throw invalid(field, "must be well-formed Unicode (no lone surrogates)");
            } else if (isBidiControl(c) || c == 0xfffe || c == 0xffff) {
                // An identifier that renders differently from how it compares invites spoofing in dashboards and logs.
                throw invalid(field, "must not contain bidirectional controls or noncharacters");
            }
        }
        return text;
    }

    private Long integer(String field, long min, long max) {
        if (!has(field)) {
            return null;
        }
        JsonNode value = root.get(field);
        long number;
        if (fromQuery) {
            try {
                number = Long.parseLong(value.asString());
            } catch (NumberFormatException e) {
                throw invalid(field, "must be an integer from " + min + " to " + max);
            }
        } else {
            if (!value.isIntegralNumber()) {
                throw invalid(field, "must be an integer");
            }
            if (!value.canConvertToLong()) {
                throw invalid(field, "must be an integer from " + min + " to " + max);
            }
            number = value.longValue();
        }
        if (number < min || number > max) {
            throw invalid(field, "must be an integer from " + min + " to " + max);
        }
        return number;
    }

    private static boolean isBidiControl(int c) {
        return (c >= 0x202A && c <= 0x202E)
                || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200E
                || c == 0x200F
                || c == 0x061C;
    }

    public static ApiException invalid(String field, String why) {
        return ApiException.badRequest("validation_error", field + ": " + why);
    }
}
