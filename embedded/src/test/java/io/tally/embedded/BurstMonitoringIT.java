package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.LicenseApiClient;
import io.tally.protocol.TenantCredentials;
import io.tally.testsupport.TestInfrastructure;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Operators watching a burst as it runs: a burst of signed consumption calls goes through the whole pipeline while
 * the gateway's status page is open in a real browser (Debian's headless Chromium, through ChromeDriver) and a real
 * Prometheus (Debian's package) scrapes both services every second and evaluates every query of the provisioned
 * Grafana dashboard. A screenshot of the status page taken during the burst is kept in {@code target/status-page/}.
 */
class BurstMonitoringIT {

    static final TenantCredentials TENANT =
            new TenantCredentials("status-tenant", "status-api", "status-shared-0123456789", "status-mgmt");

    static final String PRODUCT = "status-app";

    /** Key and share of the calls: the hot license gets half of them. */
    static final Map<String, Integer> LICENSES = Map.of(
            "HOTT-STAT-0000-0001", 50,
            "WARM-STAT-0000-0002", 25,
            "COOL-STAT-0000-0003", 15,
            "COLD-STAT-0000-0004", 10);

    static final Duration BURST = Duration.ofSeconds(8);
    static final int CLIENTS = 32;

    /** When, counted from the burst's start, the dashboard's queries are evaluated: late in the burst, still in it. */
    static final Duration DASHBOARD_AT = Duration.ofMillis(6_500);

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    static final JsonMapper JSON = JsonMapper.builder().build();

    static TallyPipeline pipeline;
    static Prometheus prometheus;
    static WebDriver browser;

    // What was seen during the burst, asserted by the tests.
    static long burstFirstSecond;
    static final Map<Integer, LongAdder> answered = new ConcurrentHashMap<>();
    static final Set<String> secondsShown = new TreeSet<>();
    static Path screenshot;
    static String pageAfterBurst;
    static JsonNode liveAfterBurst;
    static final Map<String, List<JsonNode>> panelsDuringBurst = new LinkedHashMap<>();

    @BeforeAll
    static void runAWatchedBurst() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM)
                        && Files.isExecutable(CHROMEDRIVER)
                        && Files.isExecutable(Prometheus.BINARY))
                .as("BurstMonitoringIT needs Debian's chromium, chromium-driver and prometheus: run .ci/run, which"
                        + " installs them, or apt-get install them")
                .isTrue();
        var infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(),
                infra.newDatabase("burst_monitoring_it"),
                db.username(),
                db.password(),
                "status-envelope-key-0123456789ab",
                0,
                0,
                3));
        pipeline.tenants().register("Status company", TENANT);
        pipeline.startGateway();
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
        prometheus = Prometheus.start(
                Map.of(
                        "tally-gateway", URI.create(pipeline.gatewayUrl()).getAuthority(),
                        "tally-worker", URI.create(pipeline.workerUrl()).getAuthority()),
                Path.of(System.getProperty("basedir", "."), "target", "burst-monitoring-prometheus"));
        var dashboard = JSON.readTree(Path.of(System.getProperty("basedir", "."))
                .resolve("../deploy/grafana/dashboards/tally.json")
                .toFile());

        // four licenses of a product with room for every call, each activated on one device
        var client = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), TENANT.apiKey(), TENANT.sharedKey());
        seedLicenses(client);
        browser = headlessChromium();
        browser.get(pipeline.gatewayUrl() + "/status");
        // A whole second without calls between seeding and the burst: the burst's seconds are its own even if the
        // gateway's ticker seals the second before the burst late (it then spans both).
        burstFirstSecond = System.currentTimeMillis() / 1_000 + 2;
        Thread.sleep(burstFirstSecond * 1_000 + 100 - System.currentTimeMillis());

        // the burst, from 32 clients, one call in 25 asking for more than the license has
        List<Thread> clients = new ArrayList<>();
        long burstStarts = System.nanoTime();
        long burstEnds = burstStarts + BURST.toNanos();
        for (int c = 0; c < CLIENTS; c++) {
            var random = new SplittableRandom(c);
            clients.add(Thread.ofVirtual().start(() -> burst(client, random, burstEnds)));
        }
        while (System.nanoTime() < burstEnds) {
            PageState page = PageState.of(browser);
            if (page.second() != null) {
                secondsShown.add(page.second());
            }
            if (page.showsTheBurst()) {
                // The latest view of the burst is kept: by the end it spans most of it.
                screenshot = saveScreenshot(browser);
            }
            if (panelsDuringBurst.isEmpty() && System.nanoTime() - burstStarts > DASHBOARD_AT.toNanos()) {
                for (JsonNode panel : dashboard.get("panels")) {
                    List<JsonNode> results = new ArrayList<>();
                    for (JsonNode target : panel.get("targets")) {
                        results.add(prometheus.query(target.get("expr").asString()));
                    }
                    panelsDuringBurst.put(panel.get("title").asString(), results);
                }
            }
            Thread.sleep(250);
        }
        for (Thread thread : clients) {
            thread.join();
        }
        pageAfterBurst = browser.getPageSource();
        // Once the burst's last second is sealed.
        Thread.sleep(2_000);
        liveAfterBurst = live();
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldUpdateTheStatusPageEverySecondWithTheBurstsCallsLatencyAndBusiestLicenses() {
        assertThat(secondsShown).as("seconds the page showed during the burst").hasSizeGreaterThanOrEqualTo(5);
        assertThat(screenshot)
                .as("the page showed calls, latency and the hot license first during the burst")
                .isNotNull();
        assertThat(pageAfterBurst).as("license keys are never shown whole").doesNotContain(LICENSES.keySet());
    }

    @Test
    void shouldCountOnTheStatusPageEveryCallTheClientsGotAnAnswerTo() {
        long[] shown = new long[4];
        for (JsonNode second : liveAfterBurst.get("view").get("throughput")) {
            if (second.get("second").asLong() >= burstFirstSecond - 1) {
                shown[0] += second.get("succeeded").asLong();
                shown[1] += second.get("refused").asLong();
                shown[2] += second.get("throttled").asLong();
                shown[3] += second.get("failed").asLong();
            }
        }
        long[] got = {
            answeredWith(200, 299),
            answeredWith(400, 499) - answeredWith(429, 429),
            answeredWith(429, 429),
            answeredWith(500, 599)
        };
        System.out.printf(
                "Status page: %d calls in %d s (%d x 2xx, %d x 4xx, %d x 429, %d x 5xx), %d seconds shown, %s%n",
                got[0] + got[1] + got[2] + got[3],
                BURST.toSeconds(),
                got[0],
                got[1],
                got[2],
                got[3],
                secondsShown.size(),
                screenshot);
        assertThat(got[0]).as("calls answered 200").isPositive();
        assertThat(got[1]).as("calls refused").isPositive();
        assertThat(shown).as("succeeded, refused, throttled, failed").containsExactly(got);
    }

    @Test
    void shouldShowTheBurstOnEveryPanelOfTheDashboard() {
        assertThat(panelsDuringBurst).hasSizeGreaterThanOrEqualTo(8);
        panelsDuringBurst.forEach((title, results) -> {
            System.out.println("Dashboard panel \"" + title + "\" during the burst: " + results);
            assertThat(results)
                    .as(title + ": every query answers at least one series")
                    .allSatisfy(result -> assertThat(result.get("result")).isNotEmpty());
            if (!title.startsWith("Consumer lag")) {
                // Lag may be 0 when the worker keeps up; every other panel has something above zero in a burst.
                assertThat(results.stream()
                                .flatMap(result -> result.get("result").valueStream())
                                .mapToDouble(series -> Double.parseDouble(
                                        series.get("value").get(1).asString()))
                                .filter(value -> value > 0 && Double.isFinite(value))
                                .count())
                        .as(title + ": a value above zero")
                        .isPositive();
            }
        });
        assertThat(series(
                        panelsDuringBurst
                                .get("Throughput: calls answered by status")
                                .getFirst(),
                        "status",
                        "200"))
                .as("calls answered 200 per second")
                .isPositive();
    }

    private static double series(JsonNode result, String label, String value) {
        return result.get("result")
                .valueStream()
                .filter(series -> value.equals(series.get("metric").path(label).asString(null)))
                .mapToDouble(
                        series -> Double.parseDouble(series.get("value").get(1).asString()))
                .sum();
    }

    private static void burst(LicenseApiClient client, SplittableRandom random, long endsAt) {
        List<String> weighted = new ArrayList<>();
        LICENSES.forEach((key, share) -> {
            for (int i = 0; i < share; i++) {
                weighted.add(key);
            }
        });
        try {
            while (System.nanoTime() < endsAt) {
                String key = weighted.get(random.nextInt(weighted.size()));
                long consumptions = random.nextInt(25) == 0 ? 1_000_000_000L : 1;
                var response = client.post(
                        "add_consumption",
                        Map.of(
                                "product", PRODUCT,
                                "license_key", key,
                                "hardware_id", "device-" + key,
                                "consumptions", consumptions));
                answered.computeIfAbsent(response.status(), status -> new LongAdder())
                        .increment();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What the page shows at one moment, read in one script so that no refresh of the page falls between two reads.
     */
    record PageState(String second, String rate, String p99, List<String> busiest) {

        static PageState of(WebDriver browser) {
            @SuppressWarnings("unchecked")
            var state = (Map<String, Object>) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("""
                            const text = id => document.getElementById(id).textContent;
                            return {
                              second: document.body.dataset.second || null,
                              rate: text("rate"),
                              p99: text("p99"),
                              busiest: Array.from(document.querySelectorAll("#busiest tr"), row => row.innerText)
                            };""");
            @SuppressWarnings("unchecked")
            var busiest = (List<String>) state.get("busiest");
            return new PageState(
                    (String) state.get("second"), (String) state.get("rate"), (String) state.get("p99"), busiest);
        }

        /** Calls in the last second, a latency, and the hot license first among the busiest. */
        boolean showsTheBurst() {
            return !rate.equals("0")
                    && p99.endsWith(" ms")
                    && busiest.size() == LICENSES.size()
                    && busiest.getFirst().startsWith(TENANT.tenantId() + " / " + PRODUCT + " / HOTT…01");
        }
    }

    private static Path saveScreenshot(WebDriver browser) throws Exception {
        Path file = Path.of(System.getProperty("basedir", "."), "target", "status-page", "status-during-burst.png");
        Files.createDirectories(file.getParent());
        Files.write(file, ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        return file;
    }

    private static long answeredWith(int from, int to) {
        return answered.entrySet().stream()
                .filter(entry -> entry.getKey() >= from && entry.getKey() <= to)
                .mapToLong(entry -> entry.getValue().sum())
                .sum();
    }

    private static WebDriver headlessChromium() throws Exception {
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // Without the background-networking flags Chromium keeps calling out, and this machine's network refuses it.
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,1100",
                "--user-data-dir=" + Files.createTempDirectory("status-page-chromium"));
        var service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    private static void seedLicenses(LicenseApiClient client) throws Exception {
        JsonNode product = JSON.readTree(manage(
                "/api/v1/products/",
                Map.of(
                        "product_name",
                        "Status App",
                        "short_code",
                        PRODUCT,
                        "authorization_method",
                        "license-key",
                        "default_license_type",
                        "consumption",
                        "max_consumptions",
                        100_000_000,
                        "max_activations",
                        1)));
        assertThat(product.get("id").isNumber()).isTrue();
        List<Map<String, Object>> licenses = LICENSES.keySet().stream()
                .map(key -> Map.<String, Object>of("key", key))
                .toList();
        manage(
                "/api/v1/orders/create_order/",
                Map.of(
                        "id",
                        "status-order",
                        "customer",
                        Map.of("email", "status@example.com"),
                        "items",
                        List.of(Map.of("product_code", PRODUCT, "licenses", licenses))));
        for (String key : LICENSES.keySet()) {
            var activated = client.post(
                    "activate_license", Map.of("product", PRODUCT, "license_key", key, "hardware_id", "device-" + key));
            assertThat(activated.status()).as(activated.body()).isEqualTo(200);
        }
    }

    private static String manage(String path, Object body) throws Exception {
        var response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + path))
                                .header("Authorization", "Api-Key " + TENANT.managementKey())
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(201);
        return response.body();
    }

    private static JsonNode live() throws Exception {
        var response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + "/status/live"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
