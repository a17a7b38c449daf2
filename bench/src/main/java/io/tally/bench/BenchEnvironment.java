package io.tally.bench;

import io.tally.bench.naive.NaiveService;
import io.tally.embedded.TallyPipeline;
import io.tally.infra.EmbeddedKafka;
import io.tally.infra.EmbeddedPostgres;
import io.tally.infra.FreePorts;
import io.tally.protocol.TenantCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Everything a benchmark run needs on this machine, fresh each time: PostgreSQL and a Kafka broker (embedded, data
 * under the run's directory), Tally's worker and gateway, and the naive baseline on its own database of the same
 * PostgreSQL. Both systems hold the same licenses: {@link #HOT} and {@code Z-00000} … with a limit no run reaches.
 */
final class BenchEnvironment implements AutoCloseable {

    static final String PRODUCT = "bench-app";
    static final String HARDWARE_ID = "bench-device";
    static final String HOT = "HOT-LICENSE";
    /** The floating profile's product and its one license, of {@link #FLOAT_SEATS} seats for {@link #FLOAT_DEVICES}. */
    static final String FLOAT_PRODUCT = "bench-float";

    static final String FLOAT_LICENSE = "FLOAT-LICENSE";
    static final int FLOAT_DEVICES = 5_000;
    static final int FLOAT_SEATS = 1_000;
    /** Minutes a seat is held: longer than any run, so seats are taken, renewed and refused, never expire. */
    static final int FLOAT_TIMEOUT = 60;

    static final long LIMIT = 1_000_000_000_000L;
    static final TenantCredentials TENANT =
            new TenantCredentials("bench-tenant", "bench-api-key", "bench-shared-key-0123456789", "bench-mgmt");

    final EmbeddedPostgres postgres;
    final EmbeddedKafka kafka;
    final TallyPipeline tally;
    final NaiveService naive;
    final TallyPipeline.Settings settings;
    final String[] licenses;

    private BenchEnvironment(
            EmbeddedPostgres postgres,
            EmbeddedKafka kafka,
            TallyPipeline tally,
            NaiveService naive,
            TallyPipeline.Settings settings,
            String[] licenses) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.tally = tally;
        this.naive = naive;
        this.settings = settings;
        this.licenses = licenses;
    }

    /** License names: index 0 is {@link #HOT}, then {@code zipfLicenses} others. */
    static String[] licenseNames(int zipfLicenses) {
        String[] names = new String[zipfLicenses + 1];
        names[0] = HOT;
        for (int i = 0; i < zipfLicenses; i++) {
            names[i + 1] = "Z-%05d".formatted(i);
        }
        return names;
    }

    static BenchEnvironment start(Path directory, int zipfLicenses) throws Exception {
        deleteRecursively(directory);
        Files.createDirectories(directory);
        String[] licenses = licenseNames(zipfLicenses);
        EmbeddedPostgres postgres = EmbeddedPostgres.start(directory.resolve("postgres"), FreePorts.next(), "tally");
        EmbeddedKafka kafka = EmbeddedKafka.start(directory.resolve("kafka"), 0);
        try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl("postgres"), postgres.username(), "");
                Statement statement = admin.createStatement()) {
            statement.execute("create database naive");
        }
        var settings = new TallyPipeline.Settings(
                kafka.bootstrapServers(),
                postgres.jdbcUrl("tally"),
                postgres.username(),
                "",
                "bench-envelope-key-0123456789abcdef",
                0,
                0,
                6);
        TallyPipeline tally = TallyPipeline.startWorker(settings);
        tally.tenants().register("Bench", TENANT);
        seedTally(tally, zipfLicenses);
        seedTallyFloating(tally);
        tally.startGateway(Map.of("logging.level.root", "WARN"));
        tally.awaitGatewayReady(Duration.ofMinutes(2));
        NaiveService naive = NaiveService.start(
                postgres.jdbcUrl("naive"),
                postgres.username(),
                "",
                licenses,
                LIMIT,
                TENANT.apiKey(),
                TENANT.sharedKey(),
                tally.tenants().find(TENANT.tenantId()).orElseThrow().responsePrivateKey());
        naive.addFloatingLicense(FLOAT_LICENSE, FLOAT_SEATS, FLOAT_TIMEOUT);
        return new BenchEnvironment(postgres, kafka, tally, naive, settings, licenses);
    }

    /** The floating profile's license in Tally, with every one of its devices activated. */
    private static void seedTallyFloating(TallyPipeline tally) throws SQLException {
        try (Connection connection = tally.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("insert into product (tenant_id, short_code, name) values ('" + TENANT.tenantId() + "', '"
                    + FLOAT_PRODUCT + "', 'Bench floating')");
            statement.execute("insert into license (tenant_id, product_id, license_key, license_type, max_activations,"
                    + " is_floating_cloud, floating_users, floating_timeout) select '" + TENANT.tenantId()
                    + "', p.id, '"
                    + FLOAT_LICENSE + "', 'perpetual', " + FLOAT_DEVICES + ", true, " + FLOAT_SEATS + ", "
                    + FLOAT_TIMEOUT + " from product p where p.short_code = '" + FLOAT_PRODUCT + "'");
            statement.execute("insert into device (license_id, hardware_id) select l.id, 'float-device-' || i"
                    + " from license l, generate_series(0, " + (FLOAT_DEVICES - 1) + ") i where l.license_key = '"
                    + FLOAT_LICENSE + "'");
        }
    }

    /** Seats held now in Tally's floating license (rows of floating_seat not yet ended). */
    long tallySeatsHeld() throws SQLException {
        try (Connection connection = tally.dataSource().getConnection();
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery("select count(*) from floating_seat where held_until > now()")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void seedTally(TallyPipeline tally, int zipfLicenses) throws SQLException {
        try (Connection connection = tally.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("insert into product (tenant_id, short_code, name) values ('" + TENANT.tenantId() + "', '"
                    + PRODUCT + "', 'Bench')");
            statement.execute("insert into license (tenant_id, product_id, license_key, max_consumptions)"
                    + " select '" + TENANT.tenantId() + "', p.id, k, " + LIMIT
                    + " from product p, (select '" + HOT + "' as k union all"
                    + " select 'Z-' || lpad(i::text, 5, '0') from generate_series(0, " + (zipfLicenses - 1)
                    + ") i) keys");
            statement.execute(
                    "insert into device (license_id, hardware_id) select id, '" + HARDWARE_ID + "' from license");
        }
    }

    /** Tally's totals: {sum of license totals, ledger rows, ledger rows LicenseConsumed}. */
    long[] tallyTotals() throws SQLException {
        try (Connection connection = tally.dataSource().getConnection();
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery("select (select coalesce(sum(total_consumptions), 0) from license),"
                        + " (select count(*) from command_ledger),"
                        + " (select count(*) from command_ledger where outcome = 'LicenseConsumed')")) {
            rows.next();
            return new long[] {rows.getLong(1), rows.getLong(2), rows.getLong(3)};
        }
    }

    @Override
    public void close() throws Exception {
        try {
            naive.close();
            tally.close();
        } finally {
            try {
                postgres.close();
            } finally {
                kafka.close();
            }
        }
    }

    static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
