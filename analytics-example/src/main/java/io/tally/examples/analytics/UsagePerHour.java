package io.tally.examples.analytics;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads {@code tally.events.v1} from the beginning to the end it has when started and prints units consumed per hour,
 * tenant and product. It joins no consumer group and commits nothing: every run reads the whole topic, as a new
 * analytics store being filled from the stream would.
 */
@Command(
        name = "tally-analytics-example",
        mixinStandardHelpOptions = true,
        versionProvider = io.tally.client.TallyVersion.class,
        description = "Prints units consumed per hour and product, read from tally.events.v1.")
public final class UsagePerHour implements Callable<Integer> {

    static final String EVENTS = "tally.events.v1";

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "${env:SPRING_KAFKA_BOOTSTRAP_SERVERS:-localhost:19092}",
            description = "Kafka (default: the one ./tally-embedded starts).")
    String bootstrapServers;

    @Option(names = "--tenant", description = "Only this tenant's usage.")
    String tenant;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new UsagePerHour()).execute(args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        HourlyUsage usage = read(bootstrapServers, tenant);
        out.printf(
                "%-20s  %-16s  %-20s  %14s  %14s  %10s%n",
                "hour (UTC)", "tenant", "product", "license units", "feature units", "requests");
        usage.rows()
                .forEach((key, units) -> out.printf(
                        "%-20s  %-16s  %-20s  %,14d  %,14d  %,10d%n",
                        key.hour(), key.tenant(), key.product(), units.license(), units.feature(), units.requests()));
        out.flush();
        return 0;
    }

    /**
     * Reads the events topic with {@code read_committed} (so every decided command is seen exactly once) from the
     * beginning of every partition to the end offsets taken at the start.
     */
    public static HourlyUsage read(String bootstrapServers, String tenant) {
        var json = JsonMapper.builder().build();
        var usage = new HourlyUsage();
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                        10_000),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(EVENTS, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(EVENTS, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    var event = json.readTree(record.value());
                    if (tenant == null || tenant.equals(event.path("tenant_id").asString())) {
                        usage.add(event);
                    }
                }
            }
        }
        return usage;
    }
}
