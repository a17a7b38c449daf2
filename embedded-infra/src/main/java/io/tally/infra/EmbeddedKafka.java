package io.tally.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real Kafka node, combined broker and controller in KRaft mode, running in this JVM and keeping its log under
 * {@code dataDirectory}, so that a restart on the same directory finds its topics, records and committed offsets.
 *
 * <p>{@link #start} runs a cluster of one (every internal topic has one replica); {@link EmbeddedKafkaCluster} runs
 * several of these as one cluster. Not thread-safe: start and stop from one thread.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dataDirectory;
    private final int nodeId;
    private final int port;
    private final int controllerPort;
    private final String voters;
    private final String clusterId;
    private final int clusterSize;
    private final Tls tls;
    private final Scram scram;
    private KafkaRaftServer server;

    /**
     * TLS for the client listener (and between brokers): the broker's key pair and the certificates it trusts, both
     * PKCS12 files under one password. The controller listener stays on loopback in plain text.
     */
    public record Tls(Path keyStore, Path trustStore, String password) {}

    /**
     * SASL/SCRAM-SHA-512 on the client listener (and between brokers) with Kafka's standard authorizer: nothing is
     * allowed without an ACL but to {@code adminUser}, a super user created when the log is formatted. The controller
     * listener stays on loopback in plain text, its peer trusted as Kafka's own (super user {@code User:ANONYMOUS}),
     * so this suits a test of ACLs on one machine, not a deployment.
     */
    public record Scram(String adminUser, String adminPassword) {

        /** Client properties to connect as {@code user}. */
        public Map<String, Object> clientProperties(String bootstrapServers, String user, String password) {
            return Map.of(
                    "bootstrap.servers",
                    bootstrapServers,
                    "security.protocol",
                    "SASL_PLAINTEXT",
                    "sasl.mechanism",
                    MECHANISM,
                    "sasl.jaas.config",
                    jaas(user, password));
        }
    }

    private static final String MECHANISM = "SCRAM-SHA-512";

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    /**
     * @param voters the controller quorum, {@code id@host:port,...}
     * @param clusterSize nodes in the cluster: internal topics get up to three replicas and need two in sync from three
     */
    EmbeddedKafka(
            Path dataDirectory,
            int nodeId,
            int port,
            int controllerPort,
            String voters,
            String clusterId,
            int clusterSize) {
        this(dataDirectory, nodeId, port, controllerPort, voters, clusterId, clusterSize, null, null);
    }

    EmbeddedKafka(
            Path dataDirectory,
            int nodeId,
            int port,
            int controllerPort,
            String voters,
            String clusterId,
            int clusterSize,
            Tls tls,
            Scram scram) {
        this.tls = tls;
        this.scram = scram;
        this.dataDirectory = dataDirectory;
        this.nodeId = nodeId;
        this.port = port;
        this.controllerPort = controllerPort;
        this.voters = voters;
        this.clusterId = clusterId;
        this.clusterSize = clusterSize;
    }

    /**
     * Formats {@code dataDirectory} when it is new and starts the broker on 127.0.0.1.
     *
     * @param port client port, or 0 for any free port
     */
    public static EmbeddedKafka start(Path dataDirectory, int port) {
        return startSingleNode(dataDirectory, port == 0 ? FreePorts.next() : port, null, null);
    }

    /** A single node whose clients must use TLS ({@code security.protocol=SSL}) and trust {@code tls}'s certificate. */
    public static EmbeddedKafka startWithTls(Path dataDirectory, Tls tls) {
        return startSingleNode(dataDirectory, FreePorts.next(), tls, null);
    }

    /** A single node whose clients must authenticate with SCRAM and be allowed by ACLs ({@link Scram}). */
    public static EmbeddedKafka startWithScram(Path dataDirectory, Scram scram) {
        return startSingleNode(dataDirectory, FreePorts.next(), null, scram);
    }

    private static EmbeddedKafka startSingleNode(Path dataDirectory, int clientPort, Tls tls, Scram scram) {
        int controllerPort = FreePorts.next();
        var kafka = new EmbeddedKafka(
                dataDirectory.toAbsolutePath(),
                1,
                clientPort,
                controllerPort,
                "1@127.0.0.1:" + controllerPort,
                Uuid.randomUuid().toString(),
                1,
                tls,
                scram);
        kafka.startServer();
        return kafka;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Stops the broker cleanly; {@link #restart()} brings it back on the same port and data. */
    public void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
            LOGGER.info("Kafka node {} on port {} stopped", nodeId, port);
        }
    }

    public void restart() {
        stop();
        startServer();
    }

    public boolean isRunning() {
        return server != null;
    }

    @Override
    public void close() {
        stop();
    }

    void startServer() {
        try {
            Files.createDirectories(dataDirectory);
            KafkaConfig config = KafkaConfig.fromProps(properties());
            if (!Files.exists(dataDirectory.resolve("meta.properties"))) {
                format(config);
            }
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            LOGGER.info("Kafka node {} started on {} with data in {}", nodeId, bootstrapServers(), dataDirectory);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded Kafka broker in " + dataDirectory, e);
        }
    }

    private void format(KafkaConfig config) throws Exception {
        new Formatter()
                .setNodeId(config.nodeId())
                .setClusterId(clusterId)
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(dataDirectory.toString())
                .setDirectories(java.util.List.of(dataDirectory.toString()))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .setScramArguments(
                        scram == null
                                ? java.util.List.of()
                                : java.util.List.of(MECHANISM + "=[name=" + scram.adminUser() + ",password="
                                        + scram.adminPassword() + "]"))
                .run();
    }

    private Properties properties() {
        String client = tls != null ? "SSL" : scram != null ? "SASL_PLAINTEXT" : "PLAINTEXT";
        String replicas = String.valueOf(Math.min(3, clusterSize));
        String minInSync = clusterSize >= 3 ? "2" : "1";
        var props = new Properties();
        props.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", String.valueOf(nodeId)),
                Map.entry("controller.quorum.voters", voters),
                Map.entry("listeners", client + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort),
                Map.entry("advertised.listeners", client + "://127.0.0.1:" + port),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", client),
                Map.entry("listener.security.protocol.map", client + ":" + client + ",CONTROLLER:PLAINTEXT"),
                Map.entry("log.dirs", dataDirectory.toString()),
                Map.entry("offsets.topic.replication.factor", replicas),
                Map.entry("offsets.topic.num.partitions", "4"),
                Map.entry("transaction.state.log.replication.factor", replicas),
                Map.entry("transaction.state.log.min.isr", minInSync),
                Map.entry("transaction.state.log.num.partitions", "4"),
                Map.entry("share.coordinator.state.topic.replication.factor", replicas),
                Map.entry("share.coordinator.state.topic.min.isr", minInSync),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                // Tally creates its topics with the partitions it wants; a typo must not create a topic.
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE)),
                // Sized for the small machines the embedded broker runs on: Kafka's defaults (3 network threads, 8
                // request handlers) are for a dedicated server, and on two cores shared with the gateway, the worker
                // and PostgreSQL every hand-off between them is a context switch.
                Map.entry("num.network.threads", "1"),
                Map.entry("num.io.threads", "2")));
        if (tls != null) {
            props.put("ssl.keystore.location", tls.keyStore().toString());
            props.put("ssl.keystore.password", tls.password());
            props.put("ssl.key.password", tls.password());
            props.put("ssl.keystore.type", "PKCS12");
            props.put("ssl.truststore.location", tls.trustStore().toString());
            props.put("ssl.truststore.password", tls.password());
            props.put("ssl.truststore.type", "PKCS12");
        }
        if (scram != null) {
            props.put("sasl.enabled.mechanisms", MECHANISM);
            props.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
            props.put(
                    "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                    jaas(scram.adminUser(), scram.adminPassword()));
            props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            props.put("allow.everyone.if.no.acl.found", "false");
            props.put("super.users", "User:" + scram.adminUser() + ";User:ANONYMOUS");
        }
        return props;
    }
}
