package io.tally.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR CPU profile of one phase of the benchmark, summarised as Markdown: where this JVM's CPU samples fall, by the
 * innermost frame and by the first frame of a known component. PostgreSQL is a process of its own and is not in it.
 */
public final class ProfileSummary {

    private static final Map<String, String> COMPONENTS = new LinkedHashMap<>();

    static {
        COMPONENTS.put("io.tally.worker.", "worker");
        COMPONENTS.put("io.tally.gateway.", "gateway");
        COMPONENTS.put("io.tally.bench.", "benchmark (load generator, baseline)");
        COMPONENTS.put("io.tally.protocol.", "protocol (codec, envelope)");
        COMPONENTS.put("kafka.", "Kafka broker");
        COMPONENTS.put("org.apache.kafka.storage.", "Kafka broker");
        COMPONENTS.put("org.apache.kafka.server.", "Kafka broker");
        COMPONENTS.put("org.apache.kafka.coordinator.", "Kafka broker");
        COMPONENTS.put("org.apache.kafka.clients.producer.", "Kafka producer");
        COMPONENTS.put("org.apache.kafka.clients.consumer.", "Kafka consumer");
        COMPONENTS.put("org.postgresql.", "PostgreSQL JDBC driver");
        COMPONENTS.put("org.jooq.", "jOOQ");
        COMPONENTS.put("org.eclipse.jetty.", "Jetty (load generator, baseline)");
        COMPONENTS.put("org.apache.catalina.", "Tomcat (gateway)");
        COMPONENTS.put("org.apache.coyote.", "Tomcat (gateway)");
        COMPONENTS.put("tools.jackson.", "Jackson");
        COMPONENTS.put("com.amazon.corretto.", "RSA signing (native)");
        COMPONENTS.put("sun.security.rsa.", "RSA signing (JDK)");
    }

    private ProfileSummary() {}

    /** Starts recording CPU samples (JFR's "profile" settings). */
    public static Recording start() throws Exception {
        var recording = new Recording(jdk.jfr.Configuration.getConfiguration("profile"));
        recording.start();
        return recording;
    }

    /** Stops {@code recording}, keeps it at {@code file}, and summarises it. */
    public static String stop(Recording recording, Path file, String title) throws IOException {
        recording.stop();
        recording.dump(file);
        recording.close();
        Map<String, Integer> byComponent = new HashMap<>();
        Map<String, Integer> byMethod = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            samples++;
            RecordedFrame top = frames.getFirst();
            byMethod.merge(
                    top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1, Integer::sum);
            byComponent.merge(component(frames), 1, Integer::sum);
        }
        var md = new StringBuilder();
        md.append("### ").append(title).append("\n\n");
        md.append(String.format(
                Locale.ROOT,
                "%,d CPU samples of this JVM (JFR `jdk.ExecutionSample`, recording kept at `%s`).%n%n",
                samples,
                file.getFileName()));
        md.append("| Component (first known frame from the top) | Share |\n|---|---|\n");
        table(md, byComponent, samples, 12);
        md.append("\n| Innermost method | Share |\n|---|---|\n");
        table(md, byMethod, samples, 15);
        return md.append('\n').toString();
    }

    private static String component(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            for (Map.Entry<String, String> entry : COMPONENTS.entrySet()) {
                if (type.startsWith(entry.getKey())) {
                    return entry.getValue();
                }
            }
        }
        return "other (JDK, Spring, threads)";
    }

    private static void table(StringBuilder md, Map<String, Integer> counts, int total, int rows) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(rows)
                .forEach(entry -> md.append(String.format(
                        Locale.ROOT,
                        "| `%s` | %.1f%% |%n",
                        entry.getKey(),
                        100.0 * entry.getValue() / Math.max(1, total))));
    }
}
