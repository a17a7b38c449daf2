package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What docker-compose.yml and the images promise an operator, checked on the files since no Docker daemon runs here:
 * data kept on volumes, services restarted, only the API port published on every interface, management endpoints
 * and the status page off it, no default admin password, the operators' tool at hand, images with layers and labels
 * and nothing installed only for a health check.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of("..");
    private static final List<String> LONG_RUNNING =
            List.of("kafka", "postgres", "worker", "gateway", "prometheus", "grafana");

    private final Map<String, Object> compose = yaml(ROOT.resolve("docker-compose.yml"));

    @Test
    void shouldRestartEveryLongRunningServiceWhenItStops() {
        for (String name : LONG_RUNNING) {
            assertThat(service(name).get("restart")).as(name).isEqualTo("unless-stopped");
        }
    }

    @Test
    void shouldKeepKafkasLogOnItsVolumeWithAFixedClusterIdWhenRecreated() {
        Map<String, Object> kafka = service("kafka");
        Map<String, Object> environment = map(kafka.get("environment"));
        assertThat(volumes(kafka)).contains("kafka-data:" + environment.get("KAFKA_LOG_DIRS"));
        assertThat((String) environment.get("CLUSTER_ID")).matches("[A-Za-z0-9_-]{22}");
        assertThat(volumes(service("postgres"))).contains("postgres-data:/var/lib/postgresql/data");
        assertThat(map(compose.get("volumes"))).containsKeys("kafka-data", "postgres-data");
    }

    @Test
    void shouldPublishOnlyTheApiPortWhenManagementHasAPortOfItsOwn() {
        Map<String, Object> gateway = service("gateway");
        String managementPort = (String) map(gateway.get("environment")).get("MANAGEMENT_SERVER_PORT");
        assertThat(managementPort).isNotBlank().isNotEqualTo("8080");
        assertThat(ports(gateway)).containsExactly("8080:8080");
        assertThat(healthCheck(gateway)).contains("/dev/tcp/127.0.0.1/" + managementPort, "/actuator/health");
        assertThat(Files.exists(ROOT.resolve("deploy/prometheus/prometheus.yml")))
                .isTrue();
        assertThat(read(ROOT.resolve("deploy/prometheus/prometheus.yml"))).contains("gateway:" + managementPort);
        for (String name : List.of("kafka", "postgres", "worker")) {
            assertThat(service(name)).as(name).doesNotContainKey("ports");
        }
        for (String name : List.of("prometheus", "grafana")) {
            assertThat(ports(service(name)))
                    .as(name)
                    .allSatisfy(port -> assertThat(port).startsWith("127.0.0.1:"));
        }
    }

    @Test
    void shouldRequireEverySecretWhenStartedWithoutOne() {
        assertThat((String) map(service("grafana").get("environment")).get("GF_SECURITY_ADMIN_PASSWORD"))
                .startsWith("${GRAFANA_ADMIN_PASSWORD:?");
        assertThat((String) map(service("postgres").get("environment")).get("POSTGRES_PASSWORD"))
                .startsWith("${TALLY_DB_PASSWORD:?");
        for (String name : List.of("worker", "gateway", "tally-ops")) {
            assertThat((String) map(service(name).get("environment")).get("TALLY_ENVELOPEKEYS_K1"))
                    .as(name)
                    .startsWith("${TALLY_ENVELOPE_KEY:?");
        }
    }

    @Test
    void shouldSeedTheDemoTenantOnlyWhenAskedFor() {
        assertThat(map(service("worker").get("environment")).get("TALLY_DEMO_FILE"))
                .isEqualTo("${TALLY_DEMO_FILE:-}");
    }

    @Test
    void shouldOfferTheOperatorsToolUnderAProfileWhenRunbooksNeedIt() {
        Map<String, Object> ops = service("tally-ops");
        assertThat(ops.get("profiles")).isEqualTo(List.of("ops"));
        assertThat(map(map(ops.get("build")).get("args")).get("MODULE")).isEqualTo("ops");
        assertThat(map(ops.get("environment")))
                .containsKeys("SPRING_DATASOURCE_URL", "SPRING_KAFKA_BOOTSTRAP_SERVERS", "SPRING_DATASOURCE_PASSWORD");
    }

    @Test
    void shouldBuildLayeredLabelledImagesWithoutAHealthCheckToolWhenBuildingEveryService() {
        for (String name : List.of("worker", "gateway", "tally-ops")) {
            Map<String, Object> build = map(service(name).get("build"));
            assertThat(build.get("dockerfile")).as(name).isEqualTo("deploy/Dockerfile");
            Map<String, Object> arguments = map(build.get("args"));
            assertThat(arguments).as(name).containsKeys("MODULE", "ARTIFACT", "TITLE", "DESCRIPTION");
            assertThat(Files.isDirectory(ROOT.resolve((String) arguments.get("MODULE"))))
                    .as(name)
                    .isTrue();
        }
        String dockerfile = read(ROOT.resolve("deploy/Dockerfile"));
        String runStage = dockerfile.substring(dockerfile.lastIndexOf("\nFROM "));
        assertThat(runStage)
                .doesNotContain("apt-get", "curl", "wget", "HEALTHCHECK")
                .contains("org.opencontainers.image.title=", "org.opencontainers.image.licenses=\"Apache-2.0\"")
                .contains("COPY --from=build /layers/dependencies/", "COPY --from=build /layers/application/")
                .contains("USER tally");
        assertThat(dockerfile).contains("-Djarmode=tools", "extract --layers --launcher");
    }

    private Map<String, Object> service(String name) {
        Map<String, Object> services = map(compose.get("services"));
        assertThat(services).containsKey(name);
        return map(services.get(name));
    }

    private static List<String> volumes(Map<String, Object> service) {
        return strings(service.get("volumes"));
    }

    private static List<String> ports(Map<String, Object> service) {
        return strings(service.get("ports"));
    }

    private static String healthCheck(Map<String, Object> service) {
        return String.join(" ", strings(map(service.get("healthcheck")).get("test")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return ((List<Object>) value).stream().map(String::valueOf).toList();
    }

    private static Map<String, Object> yaml(Path file) {
        return new Yaml().load(read(file));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
