package io.tally.infra;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka cluster of real KRaft nodes in this JVM, each a combined broker and controller with its own port and data
 * folder: all of them vote in the controller quorum, so the cluster goes on with one node of three stopped. Internal
 * topics (offsets, transactions) get three replicas and need two in sync.
 *
 * <p>Not thread-safe: start and stop from one thread.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private final List<EmbeddedKafka> nodes;

    private EmbeddedKafkaCluster(List<EmbeddedKafka> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** Formats and starts {@code size} nodes under {@code dataDirectory}, node ids 1 to {@code size}. */
    public static EmbeddedKafkaCluster start(Path dataDirectory, int size) {
        int[] ports = new int[size];
        int[] controllerPorts = new int[size];
        List<String> voters = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ports[i] = FreePorts.next();
            controllerPorts[i] = FreePorts.next();
            voters.add((i + 1) + "@127.0.0.1:" + controllerPorts[i]);
        }
        String clusterId = Uuid.randomUuid().toString();
        List<EmbeddedKafka> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            nodes.add(new EmbeddedKafka(
                    dataDirectory.toAbsolutePath().resolve("node-" + (i + 1)),
                    i + 1,
                    ports[i],
                    controllerPorts[i],
                    String.join(",", voters),
                    clusterId,
                    size));
        }
        var cluster = new EmbeddedKafkaCluster(nodes);
        // A node's start-up waits for the controller quorum, which needs a majority of the nodes: start them together.
        cluster.onEveryNode(EmbeddedKafka::startServer);
        return cluster;
    }

    /** Every node's client address. */
    public String bootstrapServers() {
        return nodes.stream().map(EmbeddedKafka::bootstrapServers).collect(Collectors.joining(","));
    }

    /** Node {@code id} (1 to the cluster's size), to stop and restart. */
    public EmbeddedKafka node(int id) {
        return nodes.get(id - 1);
    }

    @Override
    public void close() {
        // Together: a node stopping alone waits for a controller, which the others may already have taken down.
        onEveryNode(EmbeddedKafka::stop);
    }

    private void onEveryNode(java.util.function.Consumer<EmbeddedKafka> action) {
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (EmbeddedKafka node : nodes) {
                done.add(executor.submit(() -> action.accept(node)));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("Kafka cluster: " + e.getMessage(), e);
        }
    }
}
