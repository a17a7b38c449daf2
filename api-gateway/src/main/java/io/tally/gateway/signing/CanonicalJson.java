package io.tally.gateway.signing;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Writes JSON exactly as JavaScript's {@code JSON.stringify} does, so that an SDK that parses a body and serializes it
 * again (as LicenseSpring's SDKs do before checking {@code LicenseSignature}) gets back the bytes that were signed: no
 * whitespace, keys in the given order, integers without a decimal point, non-ASCII as raw UTF-8, and only the quote,
 * the backslash, control characters and lone surrogates escaped (the short escapes for backspace, form feed, new line,
 * carriage return and tab; otherwise a backslash-u escape with four lower-case hex digits). Thread-safe.
 */
public final class CanonicalJson {

    private CanonicalJson() {}

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
            double value = node.doubleValue();
            out.append(
                    value == Math.rint(value) && Math.abs(value) < 1e21
                            ? String.valueOf((long) value)
                            : String.valueOf(value));
        } else {
            string(out, node.asString());
        }
    }

    private static void string(StringBuilder out, String text) {
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
