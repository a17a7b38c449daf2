package io.tally.embedded;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * Kubernetes manifests read as the API server would, strictly: every document of a file becomes its Kubernetes (or
 * Prometheus Operator) model object, a value of the wrong type fails, and so does a field the model does not know,
 * which fabric8's models would otherwise keep aside in {@code additionalProperties} (a misspelt {@code readinesProbe}
 * would be accepted and do nothing).
 */
final class StrictManifests {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private StrictManifests() {}

    /** Every document of {@code file}, each checked for fields its model does not know. */
    static List<HasMetadata> read(Path file) throws IOException {
        var objects = new ArrayList<HasMetadata>();
        for (Object document : new Yaml().loadAll(Files.readString(file))) {
            if (document == null) {
                continue;
            }
            String yaml = new Yaml().dump(document);
            Object parsed = SERIALIZATION.unmarshal(yaml);
            if (!(parsed instanceof HasMetadata resource)) {
                throw new AssertionError(file + ": not a Kubernetes object with metadata: " + parsed);
            }
            List<String> unknown = new ArrayList<>();
            unknownFields(
                    resource, resource.getKind() + " " + resource.getMetadata().getName(), unknown);
            if (!unknown.isEmpty()) {
                throw new AssertionError(file + ": fields no model knows: " + unknown);
            }
            objects.add(resource);
        }
        return objects;
    }

    /** Walks the model's getters, collecting every non-empty {@code additionalProperties} with where it was. */
    private static void unknownFields(Object value, String where, List<String> unknown) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, where + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (value instanceof Map<?, ?> entries) {
            entries.forEach((key, item) -> unknownFields(item, where + "." + key, unknown));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(where + ": " + extra.keySet());
                }
            } else {
                unknownFields(field, where + "." + getter.getName().substring(3), unknown);
            }
        }
    }
}
