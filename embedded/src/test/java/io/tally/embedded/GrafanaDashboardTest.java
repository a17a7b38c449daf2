package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The provisioned Grafana dashboard works on any Grafana: it picks its Prometheus through a datasource variable, never
 * by the uid of compose's own datasource.
 */
class GrafanaDashboardTest {

    @Test
    void shouldQueryThroughItsDatasourceVariableWhenImportedAnywhere() throws Exception {
        JsonNode dashboard = JsonMapper.builder()
                .build()
                .readTree(Files.readString(Path.of("..", "deploy", "grafana", "dashboards", "tally.json")));

        JsonNode variable = dashboard.path("templating").path("list").get(0);
        assertThat(variable.path("name").asString()).isEqualTo("datasource");
        assertThat(variable.path("type").asString()).isEqualTo("datasource");
        assertThat(variable.path("query").asString()).isEqualTo("prometheus");
        List<JsonNode> datasources = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            datasources.add(panel.path("datasource"));
            panel.path("targets").forEach(target -> datasources.add(target.path("datasource")));
        }
        assertThat(datasources)
                .hasSizeGreaterThan(10)
                .allSatisfy(datasource ->
                        assertThat(datasource.path("uid").asString()).isEqualTo("${datasource}"));
    }
}
