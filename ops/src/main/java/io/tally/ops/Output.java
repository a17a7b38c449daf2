package io.tally.ops;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a subcommand prints its result on standard output: {@code name=value} lines or one line of text per row for
 * people and scripts that split lines, or, with {@code --json}, one JSON value for {@code jq} and programs. Messages
 * about the run (refusals, progress) go to standard error, never here.
 */
public final class Output {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Output() {}

    /** One result: {@code name=value} lines, or one JSON object. */
    public static void values(PrintWriter out, boolean json, Map<String, ?> values) {
        if (json) {
            out.println(JSON.writeValueAsString(values));
        } else {
            values.forEach((name, value) -> out.printf("%s=%s%n", name, value));
        }
        out.flush();
    }

    /** Several results: one line of text each, or one JSON array of objects. */
    public static void rows(
            PrintWriter out, boolean json, List<? extends Map<String, ?>> rows, Function<Map<String, ?>, String> line) {
        if (json) {
            out.println(JSON.writeValueAsString(rows));
        } else {
            rows.forEach(row -> out.println(line.apply(row)));
        }
        out.flush();
    }

    /** {@code text} as a JSON string, for a free-text field inside a line of text. */
    public static String quoted(Object text) {
        return JSON.writeValueAsString(text);
    }
}
