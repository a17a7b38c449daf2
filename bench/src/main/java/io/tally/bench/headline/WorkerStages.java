package io.tally.bench.headline;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The worker's cycle stage by stage over a stretch of load, from its own Prometheus meters read before and after:
 * batches per second, commands per batch, and the mean time of deciding a batch, of its PostgreSQL work, and of the
 * two Kafka steps the consumer's thread waits for after deciding (offsets into the transaction, commit).
 */
public final class WorkerStages {

    /** Meter (Prometheus name without {@code _sum}/{@code _count}) and what it is, in the order reported. */
    private static final Map<String, String> STAGES = stages();

    private static final Pattern LINE = Pattern.compile("^([a-z_]+)(\\{[^}]*})? ([-+0-9.eE]+|NaN)$");

    /** Batches by the worker's path (decided on cached state, or after reading first), one series per path. */
    private static final String PATHS = "tally_worker_batch_paths_total";

    /** Sums and counts by meter, as read at one moment. */
    public record Reading(Map<String, Double> values, long nanos) {}

    private WorkerStages() {}

    private static Map<String, String> stages() {
        Map<String, String> stages = new LinkedHashMap<>();
        stages.put("tally_worker_batch_commands", "commands per batch");
        stages.put("tally_worker_batch_duration_seconds", "deciding a batch (checks, PostgreSQL, messages), ms");
        stages.put("tally_worker_batch_postgres_seconds", "of which PostgreSQL, ms");
        stages.put(
                "tally_worker_kafka_offsets_seconds",
                "off the decide loop (commit stage): offsets into a Kafka transaction, ms");
        stages.put("tally_worker_kafka_commit_seconds", "off the decide loop (commit stage): the Kafka commit, ms");
        stages.put("tally_worker_command_age_seconds", "accepted to decided, per command, ms");
        return stages;
    }

    /** Reads the worker's meters from {@code workerUrl}/actuator/prometheus. */
    public static Reading read(String workerUrl) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String text = http.send(
                            HttpRequest.newBuilder(URI.create(workerUrl + "/actuator/prometheus"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            return new Reading(parse(text), System.nanoTime());
        }
    }

    static Map<String, Double> parse(String text) {
        Map<String, Double> values = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher matcher = LINE.matcher(line.trim());
            if (matcher.matches()
                    && (matcher.group(1).endsWith("_sum") || matcher.group(1).endsWith("_count"))) {
                values.merge(matcher.group(1), Double.parseDouble(matcher.group(3)), Double::sum);
            } else if (matcher.matches() && matcher.group(1).equals(PATHS) && matcher.group(2) != null) {
                values.merge(
                        PATHS + (matcher.group(2).contains("path=\"cache\"") ? ".cache" : ".read"),
                        Double.parseDouble(matcher.group(3)),
                        Double::sum);
            }
        }
        return values;
    }

    /** A Markdown table of the stretch between {@code before} and {@code after}. */
    public static String markdown(Reading before, Reading after) {
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        StringBuilder table = new StringBuilder("| Worker stage | Mean |\n|---|---|\n");
        double batches = delta(before, after, "tally_worker_batch_commands_count");
        table.append(String.format(
                Locale.ROOT,
                "| batches per second, over the whole stretch (each system is loaded in turn) | %.1f |%n",
                batches / seconds));
        STAGES.forEach((meter, label) -> {
            double count = delta(before, after, meter + "_count");
            double sum = delta(before, after, meter + "_sum");
            double mean = count == 0 ? Double.NaN : sum / count;
            table.append(String.format(
                    Locale.ROOT, "| %s | %.2f |%n", label, meter.endsWith("_seconds") ? mean * 1000 : mean));
        });
        double cached = delta(before, after, PATHS + ".cache");
        double read = delta(before, after, PATHS + ".read");
        table.append(String.format(
                Locale.ROOT,
                "| transactions decided on cached state in one round trip, share | %.2f |%n",
                cached + read == 0 ? Double.NaN : cached / (cached + read)));
        return table.toString();
    }

    private static double delta(Reading before, Reading after, String key) {
        return after.values().getOrDefault(key, 0.0) - before.values().getOrDefault(key, 0.0);
    }
}
