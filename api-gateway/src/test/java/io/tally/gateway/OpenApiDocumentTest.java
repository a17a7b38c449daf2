package io.tally.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.gateway.status.StatusManagementConfiguration;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.yaml.snakeyaml.Yaml;

/**
 * The served OpenAPI document describes exactly the endpoints the gateway maps (its controllers' and the status
 * servlet's), each with an example or a schema.
 */
class OpenApiDocumentTest {

    @Test
    @SuppressWarnings("unchecked")
    void shouldDescribeEveryMappedEndpointAndNoOther() throws Exception {
        // given
        Map<String, Object> document;
        try (InputStream in = getClass().getResourceAsStream("/static/openapi.yaml")) {
            document = new Yaml().load(in);
        }
        Set<String> documented = new HashSet<>();
        ((Map<String, Map<String, Object>>) document.get("paths"))
                .forEach((path, operations) -> operations
                        .keySet()
                        .forEach(method ->
                                documented.add(method.toUpperCase() + " " + path.replaceAll("\\{[^}]+}", "{}"))));

        // when
        Set<String> mapped = new HashSet<>();
        var scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
        for (var candidate : scanner.findCandidateComponents("io.tally.gateway")) {
            for (Method method : Class.forName(candidate.getBeanClassName()).getDeclaredMethods()) {
                GetMapping get = method.getAnnotation(GetMapping.class);
                PostMapping post = method.getAnnotation(PostMapping.class);
                org.springframework.web.bind.annotation.PatchMapping patch =
                        method.getAnnotation(org.springframework.web.bind.annotation.PatchMapping.class);
                if (patch != null) {
                    Arrays.stream(patch.value())
                            .forEach(path -> mapped.add("PATCH " + path.replaceAll("\\{[^}]+}", "{}")));
                }
                if (get != null) {
                    Arrays.stream(get.value()).forEach(path -> mapped.add("GET " + path.replaceAll("\\{[^}]+}", "{}")));
                }
                if (post != null) {
                    Arrays.stream(post.value())
                            .forEach(path -> mapped.add("POST " + path.replaceAll("\\{[^}]+}", "{}")));
                }
            }
        }

        // the status page is a servlet, served where the management endpoints are
        StatusManagementConfiguration.PATHS.forEach(path -> mapped.add("GET " + path));

        // then
        assertThat(mapped).hasSizeGreaterThan(10);
        assertThat(documented).isEqualTo(mapped);
    }
}
