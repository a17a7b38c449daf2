package io.tally.bench.naive;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tally.gateway.signing.LicenseApiSignature;
import io.tally.gateway.signing.RsaSigning;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The design Tally exists to beat, as the benchmark's baseline and not part of Tally: {@code add_consumption} as one
 * PostgreSQL transaction per HTTP request, an {@code UPDATE … WHERE total + n <= max} of the license row and a ledger
 * {@code INSERT}; and {@code check_license} on a floating license as one transaction that locks the license row,
 * counts the seats still held and upserts the device's seat. It authenticates the same signed requests the same way (HMAC over the Date header, 15-minute skew)
 * and validates the same fields, so the two differ only in how they reach the database.
 *
 * <p>Requests run on virtual threads; the pool holds {@code connections} PostgreSQL connections (8 is where pgbench
 * peaks on this kind of machine).
 */
public final class NaiveService implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern PARAMETER = Pattern.compile("(signature|apikey)\\s*=\\s*\"([^\"]*)\"");
    private static final Duration SKEW = Duration.ofMinutes(15);

    private final Server server;
    private final HikariDataSource database;
    private final String apiKey;
    private final String sharedKey;
    private final PrivateKey responseKey;

    private NaiveService(
            Server server, HikariDataSource database, String apiKey, String sharedKey, PrivateKey responseKey) {
        this.server = server;
        this.database = database;
        this.apiKey = apiKey;
        this.sharedKey = sharedKey;
        this.responseKey = responseKey;
    }

    /**
     * Creates its two tables in {@code jdbcUrl} (an empty database) with {@code licenses} licenses of {@code max}
     * consumptions each, and serves on a free port of 127.0.0.1. Answers carry a {@code LicenseSignature} made with
     * {@code responseKeyPem}, as the License API requires and as Tally's gateway does.
     */
    public static NaiveService start(
            String jdbcUrl,
            String user,
            String password,
            String[] licenses,
            long max,
            String apiKey,
            String sharedKey,
            String responseKeyPem)
            throws Exception {
        var config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(8);
        config.setAutoCommit(false);
        config.setPoolName("naive");
        var database = new HikariDataSource(config);
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("create table license (license_key varchar(255) primary key, total bigint not null,"
                    + " max_consumptions bigint not null)");
            statement.execute("create table ledger (id uuid primary key, license_key varchar(255) not null,"
                    + " hardware_id varchar(255) not null, consumptions integer not null, total_after bigint not null,"
                    + " accepted_at timestamp with time zone not null)");
            // Floating seats, the obvious way: a license row to lock, a row per device holding a seat.
            statement.execute("create table seat_license (license_key varchar(255) primary key,"
                    + " floating_users integer not null, floating_timeout integer not null)");
            statement.execute("create table seat (license_key varchar(255) not null, hardware_id varchar(255) not null,"
                    + " held_until timestamp with time zone not null, primary key (license_key, hardware_id))");
            statement.execute("create index seat_held_until on seat (license_key, held_until)");
            try (PreparedStatement insert = connection.prepareStatement("insert into license values (?, 0, ?)")) {
                for (String license : licenses) {
                    insert.setString(1, license);
                    insert.setLong(2, max);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
        }
        var threads = new QueuedThreadPool();
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        var server = new Server(threads);
        var connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        var service = new NaiveService(server, database, apiKey, sharedKey, RsaSigning.privateKey(responseKeyPem));
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Answer answer = service.answer(request);
                byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                response.setStatus(answer.status());
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders()
                        .put(
                                "LicenseSignature",
                                Base64.getEncoder().encodeToString(RsaSigning.sign(service.responseKey, body)));
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        });
        server.start();
        return service;
    }

    public String url() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** Licenses' totals and ledger rows, for checking a run: {total sum, ledger rows, ledger consumption sum}. */
    public long[] totals() throws SQLException {
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select (select coalesce(sum(total), 0) from license),"
                        + " (select count(*) from ledger), (select coalesce(sum(consumptions), 0) from ledger)")) {
            rows.next();
            long[] totals = {rows.getLong(1), rows.getLong(2), rows.getLong(3)};
            connection.commit();
            return totals;
        }
    }

    private record Answer(int status, String body) {}

    /** Adds a floating license of {@code users} seats held {@code timeoutMinutes} after each check-in. */
    public void addFloatingLicense(String licenseKey, int users, int timeoutMinutes) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement insert = connection.prepareStatement("insert into seat_license values (?, ?, ?)")) {
            insert.setString(1, licenseKey);
            insert.setInt(2, users);
            insert.setInt(3, timeoutMinutes);
            insert.executeUpdate();
            connection.commit();
        }
    }

    /** Seats held now, for checking a run. */
    public long seatsHeld() throws SQLException {
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select count(*) from seat where held_until > now()")) {
            rows.next();
            long held = rows.getLong(1);
            connection.commit();
            return held;
        }
    }

    private Answer answer(Request request) {
        String path = request.getHttpURI().getPath();
        boolean checkLicense = path.equals("/api/v4/check_license");
        if (!checkLicense && !path.equals("/api/v4/add_consumption")) {
            return error(404, "not_found");
        }
        String problem = authenticationProblem(request);
        if (problem != null) {
            return error(401, problem);
        }
        if (checkLicense) {
            return checkIn(request);
        }
        JsonNode body;
        try {
            body = JSON.readTree(Content.Source.asString(request, StandardCharsets.UTF_8));
        } catch (Exception e) {
            return error(400, "invalid_json");
        }
        JsonNode license = body.get("license_key");
        JsonNode hardware = body.get("hardware_id");
        JsonNode consumptions = body.get("consumptions");
        if (license == null || !license.isString() || hardware == null || !hardware.isString()) {
            return error(400, "missing_field");
        }
        int amount = consumptions == null ? 1 : consumptions.asInt();
        try (Connection connection = database.getConnection()) {
            try (PreparedStatement update = connection.prepareStatement("update license set total = total + ?"
                    + " where license_key = ? and total + ? <= max_consumptions returning total")) {
                update.setInt(1, amount);
                update.setString(2, license.asString());
                update.setInt(3, amount);
                try (ResultSet rows = update.executeQuery()) {
                    if (!rows.next()) {
                        connection.rollback();
                        return error(400, "license_not_enough_consumptions");
                    }
                    long total = rows.getLong(1);
                    try (PreparedStatement insert =
                            connection.prepareStatement("insert into ledger values (?, ?, ?, ?, ?, now())")) {
                        insert.setObject(1, UUID.randomUUID());
                        insert.setString(2, license.asString());
                        insert.setString(3, hardware.asString());
                        insert.setInt(4, amount);
                        insert.setLong(5, total);
                        insert.executeUpdate();
                    }
                    connection.commit();
                    return new Answer(
                            200,
                            "{\"license_key\":" + JSON.writeValueAsString(license.asString())
                                    + ",\"total_consumptions\":" + total + "}");
                }
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            return error(503, "service_unavailable");
        }
    }

    /**
     * {@code check_license} on a floating license, one transaction: lock the license row, keep the device's seat if it
     * holds one, else count the seats still held and take one if any is free, and write the device's seat.
     */
    private Answer checkIn(Request request) {
        var query = org.eclipse.jetty.util.UrlEncoded.decodeQuery(
                request.getHttpURI().getQuery());
        String license = query.getValue("license_key");
        String hardware = query.getValue("hardware_id");
        if (license == null || hardware == null) {
            return error(400, "missing_field");
        }
        try (Connection connection = database.getConnection()) {
            try {
                int users;
                int timeout;
                try (PreparedStatement lock = connection.prepareStatement("select floating_users, floating_timeout"
                        + " from seat_license where license_key = ? for update")) {
                    lock.setString(1, license);
                    try (ResultSet rows = lock.executeQuery()) {
                        if (!rows.next()) {
                            connection.rollback();
                            return error(400, "license_not_found");
                        }
                        users = rows.getInt(1);
                        timeout = rows.getInt(2);
                    }
                }
                boolean holds;
                try (PreparedStatement own = connection.prepareStatement(
                        "select 1 from seat where license_key = ? and hardware_id = ? and held_until > now()")) {
                    own.setString(1, license);
                    own.setString(2, hardware);
                    try (ResultSet rows = own.executeQuery()) {
                        holds = rows.next();
                    }
                }
                long inUse;
                try (PreparedStatement count = connection.prepareStatement(
                        "select count(*) from seat where license_key = ? and held_until > now()")) {
                    count.setString(1, license);
                    try (ResultSet rows = count.executeQuery()) {
                        rows.next();
                        inUse = rows.getLong(1);
                    }
                }
                if (!holds && inUse >= users) {
                    connection.rollback();
                    return error(400, "floating_not_available");
                }
                try (PreparedStatement seat = connection.prepareStatement("insert into seat values (?, ?, now() +"
                        + " make_interval(mins => ?)) on conflict (license_key, hardware_id) do update set"
                        + " held_until = excluded.held_until")) {
                    seat.setString(1, license);
                    seat.setString(2, hardware);
                    seat.setInt(3, timeout);
                    seat.executeUpdate();
                }
                connection.commit();
                return new Answer(
                        200,
                        "{\"license_key\":" + JSON.writeValueAsString(license) + ",\"is_floating_cloud\":true,"
                                + "\"floating_users\":" + users + ",\"floating_in_use_devices\":"
                                + (holds ? inUse : inUse + 1) + "}");
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            return error(503, "service_unavailable");
        }
    }

    private String authenticationProblem(Request request) {
        String date = request.getHeaders().get("Date");
        String authorization = request.getHeaders().get("Authorization");
        if (date == null || authorization == null) {
            return "missing_headers";
        }
        String signature = null;
        String key = null;
        Matcher matcher = PARAMETER.matcher(authorization);
        while (matcher.find()) {
            if (matcher.group(1).equals("signature")) {
                signature = matcher.group(2);
            } else {
                key = matcher.group(2);
            }
        }
        if (!apiKey.equals(key)) {
            return "invalid_api_key";
        }
        Instant at;
        try {
            at = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (RuntimeException e) {
            return "invalid_date";
        }
        if (Duration.between(at, Instant.now()).abs().compareTo(SKEW) > 0) {
            return "authorization_expired";
        }
        String expected = LicenseApiSignature.sign(sharedKey, date);
        if (signature == null
                || !MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8))) {
            return "invalid_signature";
        }
        return null;
    }

    private static Answer error(int status, String code) {
        return new Answer(status, "{\"status\":" + status + ",\"code\":\"" + code + "\"}");
    }

    @Override
    public void close() throws Exception {
        server.stop();
        database.close();
    }
}
