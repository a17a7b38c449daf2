package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.LicenseApiClient;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.Topics;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Floating-cloud licenses through the real pipeline (ADR 25): 200 devices checking in at once on a license with 20
 * seats get exactly 20 seats; a release lets exactly one more in; borrowing holds a seat past the timeout; ended seats
 * show as free on the Management API and the balances topic without any device calling.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FloatingLicenseIT {

    static final TenantCredentials TENANT =
            new TenantCredentials("float-tenant", "float-api", "float-shared-0123456789", "float-mgmt");
    static final String PRODUCT = "float-app";
    static final String SEATS_KEY = "FLOAT-SEATS-20";
    static final String BORROW_KEY = "FLOAT-BORROW-2";
    static final int DEVICES = 200;
    static final int SEATS = 20;
    static final JsonMapper JSON = JsonMapper.builder().build();

    static TestInfrastructure infra;
    static TallyPipeline pipeline;
    static DataSource database;
    static LicenseApiClient client;
    static ExecutorService callers;
    static long seatsLicenseId;
    static long productId;

    @BeforeAll
    static void start() throws Exception {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        String jdbcUrl = infra.newDatabase("floating_license_it");
        database = Database.of(jdbcUrl, db.username(), db.password());
        pipeline = TallyPipeline.startWorker(
                new TallyPipeline.Settings(
                        infra.bootstrapServers(),
                        jdbcUrl,
                        db.username(),
                        db.password(),
                        "float-envelope-key-0123456789abcdef",
                        0,
                        0,
                        3),
                Map.of("tally.floating.expiry-interval", "2s"));
        pipeline.tenants().register("Floating company", TENANT);
        pipeline.startGateway(Map.of("tally.reply-timeout", "30s"));
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
        client = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), TENANT.apiKey(), TENANT.sharedKey());
        callers = Executors.newVirtualThreadPerTaskExecutor();

        var product = manage(
                "/api/v1/products/",
                Map.of(
                        "product_name",
                        "Floating",
                        "short_code",
                        PRODUCT,
                        "default_license_type",
                        "perpetual",
                        "max_activations",
                        DEVICES + 10,
                        "is_floating_cloud",
                        true,
                        "floating_users",
                        SEATS,
                        "floating_timeout",
                        1));
        assertThat(product.statusCode()).as(product.body()).isEqualTo(201);
        productId = JSON.readTree(product.body()).get("id").asLong();
        var order = manage(
                "/api/v1/orders/create_order/",
                Map.of(
                        "id",
                        "float-order",
                        "items",
                        List.of(Map.of(
                                "product_code",
                                PRODUCT,
                                "licenses",
                                List.of(
                                        Map.of("key", SEATS_KEY),
                                        Map.of(
                                                "key",
                                                BORROW_KEY,
                                                "floating_users",
                                                2,
                                                "can_borrow",
                                                true,
                                                "max_borrow_time",
                                                2))))));
        assertThat(order.statusCode()).as(order.body()).isEqualTo(201);
        seatsLicenseId =
                JSON.readTree(order.body()).get("licenses").get(0).get("id").asLong();
        // Every device is activated first, as LicenseSpring requires before a seat.
        all(IntStream.range(0, DEVICES)
                .mapToObj(i -> call(() -> client.post("activate_license", identity(SEATS_KEY, device(i)))))
                .toList());
        for (String device : List.of("borrower-1", "borrower-2", "borrower-3")) {
            assertThat(client.post("activate_license", identity(BORROW_KEY, device))
                            .status())
                    .isEqualTo(200);
        }
    }

    @AfterAll
    static void stop() {
        if (callers != null) {
            callers.shutdownNow();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void shouldSeatExactlyTheFloatingUsersWhenEveryDeviceChecksInAtOnce() throws Exception {
        // when: 200 devices check in at once
        List<LicenseApiClient.Response> answers = all(IntStream.range(0, DEVICES)
                .mapToObj(i -> call(() -> client.get("check_license", identity(SEATS_KEY, device(i)))))
                .toList());

        // then
        List<LicenseApiClient.Response> seated =
                answers.stream().filter(answer -> answer.status() == 200).toList();
        assertThat(seated).hasSize(SEATS);
        assertThat(answers.stream().filter(answer -> answer.status() != 200))
                .hasSize(DEVICES - SEATS)
                .allSatisfy(answer -> {
                    assertThat(answer.status()).isEqualTo(400);
                    assertThat(JSON.readTree(answer.body()).get("code").asString())
                            .isEqualTo("floating_not_available");
                });
        JsonNode license = JSON.readTree(seated.getFirst().body());
        assertThat(license.get("is_floating_cloud").asBoolean()).isTrue();
        assertThat(license.get("floating_users").asInt()).isEqualTo(SEATS);
        assertThat(license.get("floating_timeout").asInt()).isEqualTo(1);
        assertThat(license.get("floating_in_use_devices").asInt()).isBetween(1, SEATS);
        assertThat(Database.queryLong(
                        database, "select count(*) from floating_seat where license_id = " + seatsLicenseId))
                .isEqualTo(SEATS);
    }

    @Test
    @Order(2)
    void shouldLetExactlyOneMoreInWhenOneSeatIsReleased() throws Exception {
        // given: the devices holding a seat
        List<String> holders = Database.queryStrings(
                database,
                "select hardware_id from floating_seat where license_id = " + seatsLicenseId + " order by hardware_id");
        String released = holders.getFirst();

        // when
        var release = client.post("floating/release", identity(SEATS_KEY, released));
        List<String> waiting = IntStream.range(0, DEVICES)
                .mapToObj(FloatingLicenseIT::device)
                .filter(device -> !holders.contains(device))
                .limit(10)
                .toList();
        List<LicenseApiClient.Response> answers = all(waiting.stream()
                .map(device -> call(() -> client.get("check_license", identity(SEATS_KEY, device))))
                .toList());

        // then
        assertThat(release.status()).as(release.body()).isEqualTo(200);
        assertThat(release.body()).isEqualTo("\"\"");
        assertThat(answers.stream().filter(answer -> answer.status() == 200)).hasSize(1);
        var again = client.post("floating/release", identity(SEATS_KEY, released));
        assertThat(again.status()).isEqualTo(400);
        assertThat(JSON.readTree(again.body()).get("code").asString()).isEqualTo("floating_not_available");
        var holderAgain = client.get("check_license", identity(SEATS_KEY, holders.get(1)));
        assertThat(holderAgain.status()).as("a holder renews its seat").isEqualTo(200);
    }

    @Test
    @Order(3)
    void shouldBorrowWithinTheLongestBorrowAndRefuseLonger() throws Exception {
        var borrowed = client.post("floating/borrow", with(identity(BORROW_KEY, "borrower-1"), "borrowed_until", null));
        var tooLong = client.post(
                "floating/borrow",
                with(
                        identity(BORROW_KEY, "borrower-2"),
                        "borrowed_until",
                        Instant.now().plus(Duration.ofHours(3)).toString()));
        var garbled =
                client.post("floating/borrow", with(identity(BORROW_KEY, "borrower-2"), "borrowed_until", "tomorrow"));
        var notAllowed = client.post("floating/borrow", with(identity(SEATS_KEY, device(0)), "borrowed_until", null));

        assertThat(borrowed.status()).as(borrowed.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(borrowed.body());
        assertThat(Instant.parse(body.get("borrowed_until").asString()))
                .isBetween(
                        Instant.now().plus(Duration.ofMinutes(110)),
                        Instant.now().plus(Duration.ofMinutes(121)));
        assertThat(body.get("max_borrow_time").asInt()).isEqualTo(2);
        assertThat(code(tooLong)).isEqualTo("borrow_until_not_valid");
        assertThat(code(garbled)).isEqualTo("borrow_until_not_valid");
        assertThat(code(notAllowed)).isEqualTo("license_borrow_not_allowed");
        var checked = JSON.readTree(
                client.get("check_license", identity(BORROW_KEY, "borrower-1")).body());
        assertThat(checked.get("is_borrowed").asBoolean()).isTrue();
        assertThat(checked.get("can_borrow").asBoolean()).isTrue();
    }

    @Test
    @Order(4)
    void shouldShowEndedSeatsAsFreeWithoutAnyDeviceCalling() throws Exception {
        // given: the seats of the 20-seat license end a minute after their last check-in; nobody calls again
        Instant deadline = Instant.now().plus(Duration.ofSeconds(100));

        // when: the expiry run frees them
        String seatsLeft = "select count(*) from floating_seat where license_id = " + seatsLicenseId;
        while (Instant.now().isBefore(deadline) && Database.queryLong(database, seatsLeft) > 0) {
            Thread.sleep(1_000);
        }

        // then: visible on the Management API and the balances topic
        assertThat(Database.queryLong(database, seatsLeft)).isZero();
        JsonNode license = JSON.readTree(management("GET", "/api/v1/licenses/" + seatsLicenseId + "/", null)
                .body());
        assertThat(license.path("floating_in_use_devices").asInt(-1)).isZero();
        JsonNode balance = latestBalance(seatsLicenseId);
        assertThat(balance.get("floating_in_use_devices").asInt()).isZero();
        assertThat(balance.get("floating_users").asInt()).isEqualTo(SEATS);
        // every seat taken was renewed, released or expired, each reported once
        Map<String, Long> kinds = seatEvents(seatsLicenseId);
        assertThat(kinds.get("taken")).isEqualTo(SEATS + 1);
        assertThat(kinds.get("released")).isEqualTo(1);
        assertThat(kinds.get("expired")).isEqualTo(SEATS);
        // the borrowed seat outlives the timeout
        assertThat(Database.queryLong(
                        database,
                        "select count(*) from floating_seat s join license l on l.id = s.license_id"
                                + " where l.license_key = '" + BORROW_KEY + "'"))
                .isEqualTo(1);
    }

    @Test
    @Order(5)
    void shouldSeatFloatingFeaturesOnTheirOwnPool() throws Exception {
        // given: a floating feature of one seat, copied to both licenses
        var feature = manage(
                "/api/v1/product-features/",
                Map.of(
                        "product",
                        productId,
                        "code",
                        "render",
                        "name",
                        "Render",
                        "feature_type",
                        "activation",
                        "is_floating_cloud",
                        true,
                        "floating_users",
                        1,
                        "floating_timeout",
                        5));
        assertThat(feature.statusCode()).as(feature.body()).isEqualTo(201);
        Map<String, Object> first = with(identity(SEATS_KEY, device(0)), "feature", "render");
        Map<String, Object> second = with(identity(SEATS_KEY, device(1)), "feature", "render");

        // when / then
        var taken = client.get("check_license_feature", first);
        assertThat(taken.status()).as(taken.body()).isEqualTo(200);
        JsonNode view = JSON.readTree(taken.body());
        assertThat(view.get("is_floating_cloud").asBoolean()).isTrue();
        assertThat(view.get("floating_in_use_devices").asInt()).isEqualTo(1);
        assertThat(code(client.get("check_license_feature", second))).isEqualTo("floating_not_available");
        assertThat(code(client.post("floating/feature_release", second)))
                .isEqualTo("floating_feature_device_not_in_use");
        assertThat(client.post("floating/feature_release", first).status()).isEqualTo(200);
        assertThat(client.get("check_license_feature", second).status()).isEqualTo(200);
        assertThat(code(client.post("floating/feature_borrow", with(first, "borrowed_until", null))))
                .isEqualTo("license_borrow_not_allowed");
        var borrowed = client.post(
                "floating/feature_borrow",
                with(with(identity(BORROW_KEY, "borrower-3"), "feature", "render"), "borrowed_until", null));
        assertThat(borrowed.status()).as(borrowed.body()).isEqualTo(200);
        assertThat(code(client.post(
                        "floating/feature_release", with(identity(SEATS_KEY, device(0)), "feature", "nope"))))
                .isEqualTo("invalid_license_feature_code");
    }

    @Test
    @Order(6)
    void shouldChangeALicensesFloatingSettingsAndFreeItsSeatsWhenItStopsFloating() throws Exception {
        // given: the 20-seat license with two seats held
        assertThat(client.get("check_license", identity(SEATS_KEY, device(0))).status())
                .isEqualTo(200);
        assertThat(client.get("check_license", identity(SEATS_KEY, device(1))).status())
                .isEqualTo(200);

        // when: one seat only, then not floating
        var oneSeat = management("PATCH", "/api/v1/licenses/" + seatsLicenseId + "/", Map.of("floating_users", 1));
        var third = client.get("check_license", identity(SEATS_KEY, device(2)));
        var notFloating =
                management("PATCH", "/api/v1/licenses/" + seatsLicenseId + "/", Map.of("is_floating_cloud", false));
        var plain = client.get("check_license", identity(SEATS_KEY, device(3)));

        // then
        assertThat(oneSeat.statusCode()).as(oneSeat.body()).isEqualTo(200);
        assertThat(JSON.readTree(oneSeat.body()).get("floating_users").asInt()).isEqualTo(1);
        assertThat(code(third)).isEqualTo("floating_not_available");
        assertThat(notFloating.statusCode()).as(notFloating.body()).isEqualTo(200);
        assertThat(JSON.readTree(notFloating.body()).has("is_floating_cloud")).isFalse();
        assertThat(plain.status()).isEqualTo(200);
        // its own seats freed; its floating feature's are its own pool and stay
        assertThat(Database.queryLong(
                        database,
                        "select count(*) from floating_seat where feature_code = '' and license_id = "
                                + seatsLicenseId))
                .isZero();
        assertThat(Database.queryLong(database, "select floating_users from license where id = " + seatsLicenseId))
                .isEqualTo(1);
    }

    /** How many seat events of each kind the events topic holds for the license's own seats. */
    private static Map<String, Long> seatEvents(long licenseId) {
        Map<String, Long> kinds = new java.util.TreeMap<>();
        for (JsonNode event : committedValues(Topics.EVENTS)) {
            if (event.path("license_id").asLong() == licenseId) {
                for (JsonNode seat : event.path("seats")) {
                    if (!seat.has("feature")) {
                        kinds.merge(seat.get("kind").asString(), 1L, Long::sum);
                    }
                }
            }
        }
        return kinds;
    }

    private static JsonNode latestBalance(long licenseId) {
        JsonNode latest = null;
        for (JsonNode balance : committedValues(Topics.BALANCES)) {
            if (balance.path("license_id").asLong() == licenseId) {
                latest = balance;
            }
        }
        assertThat(latest).as("a balance of license " + licenseId).isNotNull();
        return latest;
    }

    /** Every committed value of {@code topic}, in order, as read within 10 s from its beginning. */
    private static List<JsonNode> committedValues(String topic) {
        List<JsonNode> values = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                Map.<String, Object>of(
                        "bootstrap.servers",
                        infra.bootstrapServers(),
                        "isolation.level",
                        "read_committed",
                        "auto.offset.reset",
                        "earliest",
                        "group.id",
                        "floating-it-" + System.nanoTime()),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < until) {
                for (var record : consumer.poll(Duration.ofMillis(300))) {
                    values.add(JSON.readTree(record.value()));
                }
            }
        }
        return values;
    }

    private static String device(int i) {
        return "seat-device-" + i;
    }

    private static Map<String, Object> identity(String licenseKey, String device) {
        return Map.of("product", PRODUCT, "license_key", licenseKey, "hardware_id", device);
    }

    private static Map<String, Object> with(Map<String, Object> body, String field, Object value) {
        var copy = new java.util.HashMap<>(body);
        copy.put(field, value);
        return copy;
    }

    private static String code(LicenseApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        return JSON.readTree(response.body()).get("code").asString();
    }

    interface Call {
        LicenseApiClient.Response run() throws Exception;
    }

    private static CompletableFuture<LicenseApiClient.Response> call(Call call) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return call.run();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                callers);
    }

    private static List<LicenseApiClient.Response> all(List<CompletableFuture<LicenseApiClient.Response>> calls) {
        List<LicenseApiClient.Response> answers = new ArrayList<>();
        for (var call : calls) {
            answers.add(call.join());
        }
        return answers;
    }

    private static HttpResponse<String> manage(String path, Map<String, ?> body) throws Exception {
        return management("POST", path, body);
    }

    private static HttpResponse<String> management(String method, String path, Map<String, ?> body) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(pipeline.gatewayUrl() + path))
                                .header("Authorization", "Api-Key " + TENANT.managementKey())
                                .header("Content-Type", "application/json")
                                .method(
                                        method,
                                        body == null
                                                ? HttpRequest.BodyPublishers.noBody()
                                                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
