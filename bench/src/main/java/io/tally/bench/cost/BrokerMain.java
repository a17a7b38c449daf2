package io.tally.bench.cost;

import io.tally.infra.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded Kafka broker in a process of its own, for {@link CostProbe}: {@code <data directory> <ready file>}. Writes
 * its bootstrap servers to the ready file once it serves, then runs until it is ended.
 */
public final class BrokerMain {

    private BrokerMain() {}

    public static void main(String[] args) throws Exception {
        var kafka = EmbeddedKafka.start(Path.of(args[0]), 0);
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "broker-shutdown"));
        Files.writeString(Path.of(args[1]), kafka.bootstrapServers() + "\n", StandardCharsets.UTF_8);
        Thread.currentThread().join();
    }
}
