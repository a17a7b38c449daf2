package io.tally.embedded;

import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON Schema (2020-12, as in OpenAPI 3.1) of each answer an OpenAPI document declares, found by path template,
 * method and status (through {@code $ref}s to shared responses), and applied with networknt's validator, the schema's
 * own {@code $ref}s resolved within the document. Thread-safe.
 */
final class ResponseSchemas {

    private static final String DOCUMENT_ID = "https://tally.invalid/openapi.json";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final Map<Pattern, String> paths = new java.util.LinkedHashMap<>();

    ResponseSchemas(String yaml) {
        Object loaded = new Yaml().load(yaml);
        this.document = JSON.valueToTree(loaded);
        String json = JSON.writeValueAsString(document);
        this.registry = SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_2020_12, builder -> builder.schemas(Map.of(DOCUMENT_ID, json)));
        for (Iterator<String> names = document.path("paths").propertyNames().iterator(); names.hasNext(); ) {
            String template = names.next();
            var regex = new StringBuilder();
            for (String part : template.split("(?=\\{)|(?<=})")) {
                regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
            }
            paths.put(Pattern.compile(regex.toString()), template);
        }
    }

    /** What is wrong with {@code body} as the answer {@code status} to {@code method path}; empty when nothing. */
    List<String> errors(String method, String path, int status, byte[] body) {
        String template = template(path);
        if (template == null) {
            return List.of();
        }
        String pointer = "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/" + status;
        JsonNode response = document.at(pointer);
        if (response.isMissingNode()) {
            return List.of(); // an undeclared status is the other validator's finding
        }
        if (response.has("$ref")) {
            pointer = response.get("$ref").asString().substring(1);
            response = document.at(pointer);
        }
        JsonNode schema = response.path("content").path("application/json").path("schema");
        if (schema.isMissingNode()) {
            return List.of();
        }
        var validator = registry.getSchema(
                SchemaLocation.of(DOCUMENT_ID + "#" + pointer + "/content/application~1json/schema"));
        JsonNode answer;
        try {
            answer = JSON.readTree(body);
        } catch (RuntimeException e) {
            return List.of("body is not JSON: " + e.getMessage());
        }
        List<String> errors = new ArrayList<>();
        validator.validate(answer).forEach(error -> errors.add("body: " + error));
        return errors;
    }

    private String template(String path) {
        for (var entry : paths.entrySet()) {
            if (entry.getKey().matcher(path).matches()) {
                return entry.getValue();
            }
        }
        return null;
    }

    private static String escape(String template) {
        return template.replace("~", "~0").replace("/", "~1");
    }
}
