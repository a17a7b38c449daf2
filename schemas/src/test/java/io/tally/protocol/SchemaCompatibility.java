package io.tally.protocol;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Finds the breaking changes between a released JSON Schema and its current text, by the rules of
 * {@code schemas/README.md}: within a version only optional fields, enum values and alternatives may be added;
 * nothing is removed, retyped, renamed, newly required or constrained otherwise. Descriptions and titles may change.
 *
 * <p>Pure: compares two trees and lists what breaks, each with the JSON path where it does.
 */
final class SchemaCompatibility {

    /** Keywords whose value must not change at all. */
    private static final List<String> FIXED = List.of(
            "const",
            "format",
            "pattern",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "multipleOf",
            "$ref");

    private SchemaCompatibility() {}

    static List<String> breakingChanges(JsonNode released, JsonNode current) {
        List<String> problems = new ArrayList<>();
        compare("$", released, current, problems);
        return problems;
    }

    private static void compare(String path, JsonNode released, JsonNode current, List<String> problems) {
        if (current == null || current.isMissingNode()) {
            problems.add(path + ": removed");
            return;
        }
        if (!released.isObject() || !current.isObject()) {
            if (!released.equals(current)) {
                problems.add(path + ": changed from " + released + " to " + current);
            }
            return;
        }
        if (!types(released).equals(types(current))) {
            problems.add(path + ": type changed from " + types(released) + " to " + types(current));
        }
        for (String keyword : FIXED) {
            if (!java.util.Objects.equals(released.get(keyword), current.get(keyword))) {
                problems.add(path + ": " + keyword + " changed from " + released.get(keyword) + " to "
                        + current.get(keyword));
            }
        }
        if (released.has("enum")) {
            Set<JsonNode> now = new HashSet<>();
            if (current.has("enum")) {
                current.get("enum").forEach(now::add);
            }
            released.get("enum").forEach(value -> {
                if (!now.contains(value)) {
                    problems.add(path + ": enum value " + value + " removed");
                }
            });
        } else if (current.has("enum")) {
            problems.add(path + ": enum added");
        }
        if (!strings(released.get("required")).equals(strings(current.get("required")))) {
            problems.add(path + ": required changed from " + strings(released.get("required")) + " to "
                    + strings(current.get("required")));
        }
        compareMembers(path + ".properties", released.get("properties"), current.get("properties"), problems);
        compareMembers(path + ".$defs", released.get("$defs"), current.get("$defs"), problems);
        compareAdditional(path, released.get("additionalProperties"), current.get("additionalProperties"), problems);
        if (released.has("items")) {
            compare(path + ".items", released.get("items"), current.get("items"), problems);
        }
        for (String alternatives : List.of("oneOf", "anyOf", "allOf")) {
            compareAlternatives(
                    path + "." + alternatives, released.get(alternatives), current.get(alternatives), problems);
        }
    }

    /** Every released member must still be there and compatible; new members are allowed. */
    private static void compareMembers(String path, JsonNode released, JsonNode current, List<String> problems) {
        if (released == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> member : released.properties()) {
            compare(
                    path + "." + member.getKey(),
                    member.getValue(),
                    current == null ? null : current.get(member.getKey()),
                    problems);
        }
    }

    /** Alternatives are compared by position: existing ones keep their place, new ones go at the end. */
    private static void compareAlternatives(String path, JsonNode released, JsonNode current, List<String> problems) {
        if (released == null) {
            if (current != null && path.endsWith("allOf")) {
                problems.add(path + ": added");
            }
            return;
        }
        if (current == null || current.size() < released.size()) {
            problems.add(path + ": alternatives removed");
            return;
        }
        for (int i = 0; i < released.size(); i++) {
            compare(path + "[" + i + "]", released.get(i), current.get(i), problems);
        }
        if (path.endsWith("allOf") && current.size() > released.size()) {
            problems.add(path + ": constraints added");
        }
    }

    private static void compareAdditional(String path, JsonNode released, JsonNode current, List<String> problems) {
        boolean releasedOpen = released == null || (released.isBoolean() && released.asBoolean());
        if (releasedOpen) {
            if (current != null && !(current.isBoolean() && current.asBoolean())) {
                problems.add(path + ": additionalProperties restricted");
            }
            return;
        }
        if (released.isObject()) {
            compare(path + ".additionalProperties", released, current, problems);
        }
        // released false: anything current allows is wider, which old readers ignore
    }

    private static Set<String> types(JsonNode schema) {
        return strings(schema.get("type"));
    }

    private static Set<String> strings(JsonNode node) {
        Set<String> values = new TreeSet<>();
        if (node == null) {
            return values;
        }
        if (node.isArray()) {
            node.forEach(value -> values.add(value.asString()));
        } else {
            values.add(node.asString());
        }
        return values;
    }
}
