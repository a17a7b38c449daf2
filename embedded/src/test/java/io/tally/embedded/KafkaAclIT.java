package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.client.DemoSeeder;
import io.tally.client.LicenseApiClient;
import io.tally.infra.EmbeddedKafka;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.Topics;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Least privilege on a broker that authenticates (SASL/SCRAM) and authorizes (Kafka's standard authorizer, nothing
 * allowed without an ACL): the ACLs {@code tally-ops kafka-acls --apply} creates are enough for the gateway and the
 * worker to serve calls, each as its own principal, and refuse an analytics reader everything but events and balances
 * and a gateway writing the tenants topic.
 */
class KafkaAclIT {

    static final EmbeddedKafka.Scram ADMIN = new EmbeddedKafka.Scram("admin", "admin-secret-0123456789");
    static final Map<String, String> PASSWORDS = Map.of(
            "tally-gateway", "gateway-secret-0123456789",
            "tally-worker", "worker-secret-0123456789",
            "tally-ops", "ops-secret-0123456789",
            "tally-analytics", "analytics-secret-0123456789");
    static final TenantCredentials TENANT =
            new TenantCredentials("acl-tenant", "acl-api", "acl-shared-0123456789", "acl-mgmt");

    @TempDir
    static Path directory;

    static EmbeddedKafka kafka;
    static TallyPipeline pipeline;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startWithScram(directory.resolve("kafka"), ADMIN);
        try (var admin = Admin.create(as(ADMIN.adminUser(), ADMIN.adminPassword()))) {
            admin.alterUserScramCredentials(PASSWORDS.entrySet().stream()
                            .<org.apache.kafka.clients.admin.UserScramCredentialAlteration>map(
                                    user -> new UserScramCredentialUpsertion(
                                            user.getKey(),
                                            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                                            user.getValue()))
                            .toList())
                    .all()
                    .get();
        }
        Path adminConfig = directory.resolve("admin.properties");
        var properties = new java.util.Properties();
        as(ADMIN.adminUser(), ADMIN.adminPassword()).forEach((name, value) -> {
            if (!name.equals("bootstrap.servers")) {
                properties.put(name, value);
            }
        });
        try (var writer = Files.newBufferedWriter(adminConfig)) {
            properties.store(writer, null);
        }
        var applied = run(
                "kafka-acls",
                "--apply",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--kafka-config",
                adminConfig.toString());
        assertThat(applied.exitCode()).as(applied.err()).isZero();

        var infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        var settings = new TallyPipeline.Settings(
                kafka.bootstrapServers(),
                infra.newDatabase("kafka_acl_it"),
                db.username(),
                db.password(),
                "acl-envelope-key-0123456789abcdef",
                0,
                0,
                3);
        pipeline = TallyPipeline.startWorker(settings, springKafka("tally-worker"));
        pipeline.tenants().register("ACL company", TENANT);
        pipeline.startGateway(springKafka("tally-gateway"));
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
        new DemoSeeder(URI.create(pipeline.gatewayUrl()), TENANT.apiKey(), TENANT.sharedKey(), TENANT.managementKey())
                .seed();
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
    void shouldServeCallsWithTheGatewayAndWorkerEachAsItsOwnPrincipal() throws Exception {
        var client = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), TENANT.apiKey(), TENANT.sharedKey());

        var consumed = client.post("add_consumption", ForeignCommands.demoConsumption());

        assertThat(consumed.status()).as(consumed.body()).isEqualTo(200);
    }

    @Test
    void shouldLetAnalyticsReadEventsAndBalancesOnly() throws Exception {
        // given: at least one event and one balance
        var client = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), TENANT.apiKey(), TENANT.sharedKey());
        assertThat(client.post("add_consumption", ForeignCommands.demoConsumption())
                        .status())
                .isEqualTo(200);
        var analytics = new HashMap<>(as("tally-analytics", PASSWORDS.get("tally-analytics")));
        analytics.put("group.id", "tally-analytics-acl-it");
        analytics.put("auto.offset.reset", "earliest");
        analytics.put("isolation.level", "read_committed");

        // when
        Set<String> read = new HashSet<>();
        try (var consumer = new KafkaConsumer<>(analytics, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.EVENTS, Topics.BALANCES));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.size() < 2 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> read.add(record.topic()));
            }
        }

        // then
        assertThat(read).containsExactlyInAnyOrder(Topics.EVENTS, Topics.BALANCES);
        for (String refused : List.of(Topics.TENANTS, Topics.COMMANDS, Topics.REPLIES)) {
            assertThat(readOnce("tally-analytics", refused))
                    .as(refused)
                    .isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void shouldRefuseTheGatewayWritingTheTenantsTopic() {
        var gateway = new HashMap<>(as("tally-gateway", PASSWORDS.get("tally-gateway")));
        gateway.put("max.block.ms", "10000");

        try (var producer = new KafkaProducer<>(gateway, new StringSerializer(), new ByteArraySerializer())) {
            assertThatThrownBy(
                            () -> producer.send(new ProducerRecord<>(Topics.TENANTS, TENANT.apiKey(), new byte[] {1}))
                                    .get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(readOnce("tally-gateway", Topics.TENANTS)).isNull();
    }

    @Test
    void shouldLetTheOperatorsToolListDeadLettersAsItsOwnPrincipal() throws Exception {
        Path config = directory.resolve("ops.properties");
        var properties = new java.util.Properties();
        as("tally-ops", PASSWORDS.get("tally-ops")).forEach((name, value) -> {
            if (!name.equals("bootstrap.servers")) {
                properties.put(name, value);
            }
        });
        try (var writer = Files.newBufferedWriter(config)) {
            properties.store(writer, null);
        }

        var listed = run(
                "redrive",
                "--json",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--kafka-config",
                config.toString());

        assertThat(listed.exitCode()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("\"letters\"");
    }

    /** The failure of reading {@code topic} once from its beginning as {@code user}, or {@code null} when it reads. */
    private static Throwable readOnce(String user, String topic) {
        var config = new HashMap<>(as(user, PASSWORDS.get(user)));
        config.put("default.api.timeout.ms", "10000");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            consumer.poll(Duration.ofSeconds(2));
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static Map<String, Object> as(String user, String password) {
        return ADMIN.clientProperties(kafka.bootstrapServers(), user, password);
    }

    /** Spring Kafka's properties for a service connecting as {@code user}. */
    private static Map<String, Object> springKafka(String user) {
        return Map.of(
                "spring.kafka.security.protocol",
                "SASL_PLAINTEXT",
                "spring.kafka.properties.sasl.mechanism",
                "SCRAM-SHA-512",
                "spring.kafka.properties.sasl.jaas.config",
                as(user, PASSWORDS.get(user)).get("sasl.jaas.config"));
    }

    private static OpsTool.Run run(String... arguments) {
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        var commandLine = io.tally.ops.TallyOps.commandLine();
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        int code = commandLine.execute(arguments);
        return new OpsTool.Run(code, out.toString(), err.toString());
    }
}
