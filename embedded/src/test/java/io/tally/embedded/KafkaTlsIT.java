package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.client.DemoSeeder;
import io.tally.client.LicenseApiClient;
import io.tally.infra.EmbeddedKafka;
import io.tally.protocol.TenantCredentials;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tally on a broker that accepts only TLS, configured through Spring Boot's standard properties (in production, the
 * environment: {@code SPRING_KAFKA_SECURITY_PROTOCOL=SSL}, {@code SPRING_KAFKA_SSL_TRUSTSTORELOCATION}, ...): both
 * services connect, a consumption goes through, and a client without TLS gets nowhere.
 */
class KafkaTlsIT {

    static final String PASSWORD = "tls-store-password-0123";
    static final TenantCredentials TENANT =
            new TenantCredentials("tls-tenant", "tls-api", "tls-shared-0123456789", "tls-mgmt");

    @TempDir
    static Path stores;

    static EmbeddedKafka kafka;
    static TallyPipeline pipeline;

    @BeforeAll
    static void start() throws Exception {
        Path keyStore = stores.resolve("broker.p12");
        Path certificate = stores.resolve("broker.pem");
        Path trustStore = stores.resolve("trust.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD);
        keytool(
                "-exportcert",
                "-alias",
                "broker",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                PASSWORD,
                "-rfc",
                "-file",
                certificate.toString());
        keytool(
                "-importcert",
                "-alias",
                "broker",
                "-file",
                certificate.toString(),
                "-keystore",
                trustStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD,
                "-noprompt");
        kafka = EmbeddedKafka.startWithTls(
                stores.resolve("kafka"), new EmbeddedKafka.Tls(keyStore, trustStore, PASSWORD));

        var infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        var settings = new TallyPipeline.Settings(
                kafka.bootstrapServers(),
                infra.newDatabase("kafka_tls_it"),
                db.username(),
                db.password(),
                "tls-envelope-key-0123456789abcdef",
                0,
                0,
                3);
        Map<String, Object> tls = Map.of(
                "spring.kafka.security.protocol",
                "SSL",
                "spring.kafka.ssl.trust-store-location",
                "file:" + trustStore,
                "spring.kafka.ssl.trust-store-password",
                PASSWORD,
                "spring.kafka.ssl.trust-store-type",
                "PKCS12");
        pipeline = TallyPipeline.startWorker(settings, tls);
        pipeline.tenants().register("TLS company", TENANT);
        pipeline.startGateway(tls);
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldApplyAConsumptionThroughABrokerThatSpeaksOnlyTls() throws Exception {
        // given
        URI gateway = URI.create(pipeline.gatewayUrl());
        new DemoSeeder(gateway, TENANT.apiKey(), TENANT.sharedKey(), TENANT.managementKey()).seed();
        var client = new LicenseApiClient(gateway, TENANT.apiKey(), TENANT.sharedKey());

        // when
        var answer = client.post(
                "add_consumption",
                Map.of(
                        "product", DemoSeeder.PRODUCT,
                        "license_key", DemoSeeder.LICENSE_KEY,
                        "hardware_id", DemoSeeder.HARDWARE_ID,
                        "consumptions", 2));

        // then
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"total_consumptions\":2");
    }

    @Test
    void shouldLetNoClientInWithoutTls() {
        try (var admin = Admin.create(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "request.timeout.ms", 3_000,
                "default.api.timeout.ms", 5_000))) {
            assertThatThrownBy(() -> admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS))
                    .isNotNull();
        }
    }

    private static void keytool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor())
                .as("keytool " + arguments[0] + ": " + output)
                .isZero();
    }
}
