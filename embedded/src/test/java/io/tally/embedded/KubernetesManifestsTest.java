package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests in deploy/kubernetes, parsed strictly ({@link StrictManifests}) and checked for what an
 * operator relies on: probes on the management port, resources, disruption budgets that select their pods, secrets
 * as files read by Spring Boot's configtree, and monitoring that finds the management ports.
 */
class KubernetesManifestsTest {

    private static final Path DIRECTORY = Path.of("..", "deploy", "kubernetes");

    static List<String> resources;
    static List<HasMetadata> objects;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        Map<String, Object> kustomization = new Yaml().load(Files.readString(DIRECTORY.resolve("kustomization.yaml")));
        resources = (List<String>) kustomization.get("resources");
        objects = new ArrayList<>();
        for (String resource : resources) {
            objects.addAll(StrictManifests.read(DIRECTORY.resolve(resource)));
        }
    }

    @Test
    void shouldListEveryManifestInTheKustomizationWhenTheDirectoryHoldsIt() throws IOException {
        try (var files = Files.list(DIRECTORY)) {
            List<String> manifests = files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml"))
                    .filter(name -> !name.equals("kustomization.yaml") && !name.equals("alerts-test.yaml"))
                    .toList();
            assertThat(resources).containsExactlyInAnyOrderElementsOf(manifests);
        }
        assertThat(objects)
                .extracting(HasMetadata::getKind)
                .contains(
                        "ConfigMap",
                        "Deployment",
                        "Service",
                        "PodDisruptionBudget",
                        "Job",
                        "ServiceMonitor",
                        "PrometheusRule");
    }

    @Test
    void shouldProbeAndSizeEveryServiceOnItsManagementPort() {
        for (Deployment deployment : all(Deployment.class)) {
            Container container =
                    onlyContainer(deployment.getSpec().getTemplate().getSpec());
            String name = deployment.getMetadata().getName();
            assertThat(container.getPorts())
                    .as(name)
                    .anySatisfy(port -> assertThat(port.getName()).isEqualTo("management"));
            assertThat(container.getReadinessProbe().getHttpGet().getPath())
                    .as(name)
                    .isEqualTo("/actuator/health/readiness");
            assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal())
                    .as(name)
                    .isEqualTo("management");
            assertThat(container.getLivenessProbe().getHttpGet().getPath())
                    .as(name)
                    .isEqualTo("/actuator/health/liveness");
            assertThat(container.getResources().getRequests()).as(name).containsKeys("cpu", "memory");
            assertThat(container.getResources().getLimits()).as(name).containsKey("memory");
            assertThat(deployment
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getSecurityContext()
                            .getRunAsNonRoot())
                    .as(name)
                    .isTrue();
        }
        Deployment gateway = named(Deployment.class, "tally-gateway");
        assertThat(onlyContainer(gateway.getSpec().getTemplate().getSpec()).getEnv())
                .anySatisfy(variable -> {
                    assertThat(variable.getName()).isEqualTo("MANAGEMENT_SERVER_PORT");
                    assertThat(variable.getValue()).isEqualTo("9080");
                });
        assertThat(named(Service.class, "tally-gateway").getSpec().getPorts())
                .extracting(port -> port.getTargetPort().getStrVal())
                .containsExactly("api");
    }

    @Test
    void shouldKeepEveryDeploymentAvailableThroughADrainWhenItsBudgetSelectsIt() {
        for (Deployment deployment : all(Deployment.class)) {
            Map<String, String> podLabels =
                    deployment.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(all(PodDisruptionBudget.class))
                    .as(deployment.getMetadata().getName())
                    .anySatisfy(budget -> assertThat(podLabels)
                            .containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels()));
        }
    }

    @Test
    void shouldReadSecretsAsFilesThroughConfigtreeWhenAnyPodNeedsOne() {
        ConfigMap config = named(ConfigMap.class, "tally-config");
        String configtree = config.getData().get("SPRING_CONFIG_IMPORT");
        assertThat(configtree).isEqualTo("optional:configtree:/etc/tally/secrets/");
        List<PodSpec> pods = new ArrayList<>();
        all(Deployment.class)
                .forEach(deployment ->
                        pods.add(deployment.getSpec().getTemplate().getSpec()));
        all(Job.class).forEach(job -> pods.add(job.getSpec().getTemplate().getSpec()));
        for (PodSpec pod : pods) {
            Container container = onlyContainer(pod);
            assertThat(container.getEnv() == null ? List.of() : container.getEnv())
                    .allSatisfy(variable -> assertThat(variable.getValueFrom()).isNull());
            assertThat(container.getVolumeMounts()).anySatisfy(mount -> {
                assertThat(mount.getMountPath()).isEqualTo("/etc/tally/secrets");
                assertThat(mount.getReadOnly()).isTrue();
            });
            assertThat(pod.getVolumes())
                    .anySatisfy(volume ->
                            assertThat(volume.getSecret().getSecretName()).isEqualTo("tally-secrets"));
        }
        assertThat(named(Job.class, "tally-ops").getSpec().getSuspend()).isTrue();
    }

    @Test
    void shouldScrapeEveryManagementPortAndAlertOnWhatNeedsAnOperator() {
        ServiceMonitor monitor = named(ServiceMonitor.class, "tally");
        Map<String, String> selector = monitor.getSpec().getSelector().getMatchLabels();
        List<Service> scraped = all(Service.class).stream()
                .filter(service -> service.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .toList();
        assertThat(scraped)
                .extracting(service -> service.getMetadata().getName())
                .containsExactlyInAnyOrder("tally-gateway-management", "tally-worker-management");
        String port = monitor.getSpec().getEndpoints().get(0).getPort();
        assertThat(scraped)
                .allSatisfy(service -> assertThat(service.getSpec().getPorts())
                        .extracting(servicePort -> servicePort.getName())
                        .contains(port));
        assertThat(named(PrometheusRule.class, "tally")
                        .getSpec()
                        .getGroups()
                        .get(0)
                        .getRules())
                .extracting(rule -> rule.getAlert())
                .containsExactly(
                        "TallyDeadLetters",
                        "TallyForgedRecords",
                        "TallyReplyTimeouts",
                        "TallyConsumerLag",
                        "TallyNotReady");
    }

    private static Container onlyContainer(PodSpec pod) {
        assertThat(pod.getContainers()).hasSize(1);
        return pod.getContainers().get(0);
    }

    private static <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T named(Class<T> type, String name) {
        return all(type).stream()
                .filter(object -> object.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }
}
