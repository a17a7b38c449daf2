package io.tally.embedded;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Prometheus server (Debian's package, {@code /usr/bin/prometheus}) in a process of its own on a free loopback
 * port, scraping the given targets every second, with its data in a fresh folder. Closing it stops the process.
 */
final class Prometheus implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/prometheus");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Process process;
    private final URI url;
    private final HttpClient http = HttpClient.newHttpClient();

    private Prometheus(Process process, URI url) {
        this.process = process;
        this.url = url;
    }

    /**
     * Starts Prometheus scraping {@code /actuator/prometheus} of each target ({@code job -> host:port}) every second
     * and waits until it is ready.
     */
    static Prometheus start(Map<String, String> targets, Path folder) throws Exception {
        StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\nscrape_configs:\n");
        targets.forEach((job, target) -> config.append("  - job_name: ")
                .append(job)
                .append("\n    metrics_path: /actuator/prometheus\n    static_configs:\n      - targets: [\"")
                .append(target)
                .append("\"]\n"));
        Files.createDirectories(folder);
        Path configFile = Files.writeString(folder.resolve("prometheus.yml"), config);
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder(
                        BINARY.toString(),
                        "--config.file=" + configFile,
                        "--storage.tsdb.path=" + folder.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(folder.resolve("prometheus.log").toFile())
                .start();
        var prometheus = new Prometheus(process, URI.create("http://127.0.0.1:" + port));
        prometheus.awaitReady(Duration.ofSeconds(30));
        return prometheus;
    }

    /** Evaluates {@code expression} now: the {@code data} of the answer (result type and result). */
    JsonNode query(String expression) throws IOException, InterruptedException {
        var response = http.send(
                HttpRequest.newBuilder(url.resolve(
                                "/api/v1/query?query=" + URLEncoder.encode(expression, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.get("status").asString())) {
            throw new IOException("Prometheus refused " + expression + ": " + response.body());
        }
        return body.get("data");
    }

    private void awaitReady(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            try {
                var response = http.send(
                        HttpRequest.newBuilder(url.resolve("/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Prometheus did not become ready (alive: " + process.isAlive() + ")");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
