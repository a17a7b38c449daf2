package io.tally.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SchemaCompatibilityTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));

    private static final String RELEASED = """
            {"type": "object", "required": ["id", "kind"],
             "properties": {
               "id": {"type": "string", "format": "uuid", "description": "old words"},
               "kind": {"enum": ["a", "b"]},
               "total": {"type": ["integer", "null"]},
               "items": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"}}}}
             },
             "oneOf": [{"properties": {"kind": {"const": "a"}}}]}
            """;

    /**
     * The build's check: every released schema (schemas/released/vN) against its current text (schemas/vN). A breaking
     * change fails the build; it belongs in a new topic version.
     */
    @Test
    void shouldFindNoBreakingChangeInAnyReleasedSchema() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String version : List.of("v1", "v2")) {
            try (Stream<Path> released = Files.list(MODULE.resolve("released").resolve(version))) {
                for (Path file : released.sorted().toList()) {
                    Path current = MODULE.resolve(version).resolve(file.getFileName());
                    if (!Files.exists(current)) {
                        problems.add(file.getFileName() + ": removed");
                        continue;
                    }
                    SchemaCompatibility.breakingChanges(read(file), read(current))
                            .forEach(problem -> problems.add(file.getFileName() + " " + problem));
                }
            }
        }

        assertThat(problems).isEmpty();
    }

    @Test
    void shouldAcceptNewOptionalFieldsEnumValuesAlternativesAndReworded() {
        String current = RELEASED.replace("old words", "new words")
                .replace("\"enum\": [\"a\", \"b\"]", "\"enum\": [\"a\", \"b\", \"c\"]")
                .replace("\"total\":", "\"added\": {\"type\": \"string\"}, \"total\":")
                .replace(
                        "\"oneOf\": [{\"properties\": {\"kind\": {\"const\": \"a\"}}}]",
                        "\"oneOf\": [{\"properties\": {\"kind\": {\"const\": \"a\"}}},"
                                + " {\"properties\": {\"kind\": {\"const\": \"c\"}}}]");

        assertThat(changes(current)).isEmpty();
    }

    @Test
    void shouldReportARemovedField() {
        assertThat(changes(RELEASED.replace("\"total\": {\"type\": [\"integer\", \"null\"]},", "")))
                .containsExactly("$.properties.total: removed");
    }

    @Test
    void shouldReportARetypedField() {
        assertThat(changes(RELEASED.replace("[\"integer\", \"null\"]", "\"integer\"")))
                .containsExactly("$.properties.total: type changed from [integer, null] to [integer]");
    }

    @Test
    void shouldReportANewlyRequiredField() {
        assertThat(changes(RELEASED.replace("[\"id\", \"kind\"]", "[\"id\", \"kind\", \"total\"]")))
                .containsExactly("$: required changed from [id, kind] to [id, kind, total]");
    }

    @Test
    void shouldReportARemovedEnumValueAndAChangedFormat() {
        assertThat(changes(RELEASED.replace("[\"a\", \"b\"]", "[\"a\"]").replace("uuid", "uri")))
                .containsExactlyInAnyOrder(
                        "$.properties.kind: enum value \"b\" removed",
                        "$.properties.id: format changed from \"uuid\" to \"uri\"");
    }

    @Test
    void shouldReportAChangeInsideArrayItemsAndAlternatives() {
        assertThat(changes(RELEASED.replace("\"code\": {\"type\": \"string\"}", "\"code\": {\"type\": \"integer\"}")
                        .replace("{\"const\": \"a\"}", "{\"const\": \"z\"}")))
                .containsExactlyInAnyOrder(
                        "$.properties.items.items.properties.code: type changed from [string] to [integer]",
                        "$.oneOf[0].properties.kind: const changed from \"a\" to \"z\"");
    }

    @Test
    void shouldReportClosingTheObjectToUnknownFields() {
        assertThat(changes(RELEASED.replaceFirst(
                        "\\{\"type\": \"object\",", "{\"type\": \"object\", \"additionalProperties\": false,")))
                .containsExactly("$: additionalProperties restricted");
    }

    private static List<String> changes(String current) {
        return SchemaCompatibility.breakingChanges(JSON.readTree(RELEASED), JSON.readTree(current));
    }

    private static JsonNode read(Path file) throws IOException {
        return JSON.readTree(Files.readString(file));
    }
}
