package io.tally.gateway.signing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes JSON exactly as JavaScript's {@code JSON.stringify} does, so that an SDK that parses a body and serializes it
 * again (as LicenseSpring's SDKs do before checking {@code LicenseSignature}) gets back the bytes that were signed: no
 * whitespace, keys in the given order, integers without a decimal point, non-ASCII as raw UTF-8, and only the quote,
 * the backslash, control characters and lone surrogates escaped (the short escapes for backspace, form feed, new line,
 * carriage return and tab; otherwise a backslash-u escape with four lower-case hex digits). Thread-safe.
 */
public final class CanonicalJson {

    private CanonicalJson() {}

    /**
     * {@code value} as {@code mapper} serializes it, written in canonical form straight from the serializers: the same
     * bytes as {@link #write(JsonNode)} of {@code mapper.valueToTree(value)}, without building the tree. An object
     * whose keys would need escaping (none of the License API's bodies has such a key) takes the tree's way.
     */
    public static byte[] write(JsonMapper mapper, Object value) {
        if (value instanceof JsonNode node) {
            return write(node);
        }
        var bytes = new ByteArrayOutputStream(512);
        try (var generator = new CanonicalGenerator(mapper.createGenerator(bytes))) {
            mapper.writeValue(generator, value);
        } catch (RuntimeException e) {
            // Serializers wrap what a generator throws in a DatabindException.
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof CanonicalGenerator.KeyNeedsEscaping) {
                    return write(mapper.<JsonNode>valueToTree(value));
                }
            }
            throw e;
        }
        return bytes.toByteArray();
    }

    /** A JSON number as {@code JSON.stringify} writes a double: whole values without a decimal point. */
    static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e21
                ? String.valueOf((long) value)
                : String.valueOf(value);
    }

    public static byte[] write(JsonNode node) {
        StringBuilder out = new StringBuilder(256);
        append(out, node);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void append(StringBuilder out, JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            out.append("null");
        } else if (node.isObject()) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(out, field.getKey());
                out.append(':');
                append(out, field.getValue());
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            Iterator<JsonNode> elements = node.values().iterator();
            while (elements.hasNext()) {
                append(out, elements.next());
                if (elements.hasNext()) {
                    out.append(',');
                }
            }
            out.append(']');
        } else if (node.isString()) {
            string(out, node.asString());
        } else if (node.isBoolean()) {
            out.append(node.booleanValue());
        } else if (node.isIntegralNumber()) {
            out.append(node.bigIntegerValue());
        } else if (node.isNumber()) {
            out.append(number(node.doubleValue()));
        } else {
            string(out, node.asString());
        }
    }

    /** {@code text} as a JSON string, quotes included, escaped as {@code JSON.stringify} escapes it. */
    static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c)
                            && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1))) {
                        out.append(c).append(text.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
