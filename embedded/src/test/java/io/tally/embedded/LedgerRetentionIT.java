package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.DemoSeeder;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.TenantCredentials;
import io.tally.testsupport.TestInfrastructure;
import io.tally.worker.WorkerDatabase;
import io.tally.worker.ledger.LedgerPartitions;
import java.net.URI;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ledger partitioned by month (migration V6) on a real PostgreSQL: months created ahead, whole months dropped
 * after the retention with their Idempotency-Keys, a command whose month was dropped never applied, and one older
 * than the retention whose month is still there applied (ADR 17, amended).
 */
class LedgerRetentionIT {

    static final TenantCredentials TENANT =
            new TenantCredentials("retention-tenant", "retention-api", "retention-shared-0123456789", "retention-mgmt");
    static final String ENVELOPE_KEY = "retention-envelope-key-0123456789";

    static TestInfrastructure infra;
    static TallyPipeline pipeline;
    static TallyPipeline.Settings settings;
    /** The start of the oldest month of the pipeline's ledger: three months ago. */
    static Instant keptFrom;

    @BeforeAll
    static void start() throws Exception {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        settings = new TallyPipeline.Settings(
                infra.bootstrapServers(),
                infra.newDatabase("ledger_retention_it"),
                db.username(),
                db.password(),
                ENVELOPE_KEY,
                0,
                0,
                3);
        pipeline = TallyPipeline.startWorker(settings);
        pipeline.tenants().register("Retention company", TENANT);
        pipeline.stopWorker();
        keptFrom = YearMonth.now(ZoneOffset.UTC)
                .minusMonths(3)
                .atDay(1)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC);
        dropMonthsBefore(Database.of(settings.jdbcUrl(), db.username(), db.password()), keptFrom);
        pipeline.startWorkerAgain(Map.of("tally.ledger-retention", "30d"));
        pipeline.startGateway();
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
        new DemoSeeder(URI.create(pipeline.gatewayUrl()), TENANT.apiKey(), TENANT.sharedKey(), TENANT.managementKey())
                .seed();
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldHaveTheComingMonthsPartitionedWhenTheWorkerStarts() throws Exception {
        // given: the worker started and maintained the partitions
        YearMonth now = YearMonth.now(ZoneOffset.UTC);

        // when
        List<String> partitions = partitions(pipeline.dataSource());
        var again = new LedgerPartitions(WorkerDatabase.dsl(pipeline.dataSource()), null, Clock.systemUTC())
                .maintain(Instant.now());

        // then: this month in the table that was there before partitioning, the next two months ahead
        assertThat(partitions)
                .contains(
                        "command_ledger_before_partitioning",
                        monthPartition(now.plusMonths(1)),
                        monthPartition(now.plusMonths(2)));
        assertThat(again.created()).isEmpty();
        assertThat(again.dropped()).isEmpty();
    }

    @Test
    void shouldDropWholeMonthsOlderThanTheRetentionWithTheirIdempotencyKeys() throws Exception {
        // given: a consumption with an Idempotency-Key, in a database of its own (months are dropped whole)
        DataSource dataSource = Database.migrated(infra, "ledger_retention_drop_it");
        Database.execute(
                dataSource,
                "insert into command_ledger (command_id, tenant_id, command_type, outcome, accepted_at, applied_at,"
                        + " kafka_partition, kafka_offset, result) values ('" + UUID.randomUUID()
                        + "', 't', 'ConsumeLicense', 'LicenseConsumed', now(), now(), 0, 0, '{}')");
        Database.execute(
                dataSource,
                "insert into idempotency_key (tenant_id, idempotency_key, request_digest, command_id, created_at)"
                        + " values ('t', 'key-1', 'digest', '" + UUID.randomUUID() + "', now())");
        var partitions = new LedgerPartitions(WorkerDatabase.dsl(dataSource), Duration.ofDays(60), Clock.systemUTC());
        Instant inFourMonths = Instant.now().plus(Duration.ofDays(120));

        assertThat(partitions.keptFrom()).as("kept from, before any run").isNull();

        // when: maintained four months later, with a retention of 60 days
        var maintenance = partitions.maintain(inFourMonths);

        // then: this month went whole, with the key; the months up to two ahead of then exist
        assertThat(maintenance.dropped()).contains("command_ledger_before_partitioning");
        assertThat(Database.queryLong(dataSource, "select count(*) from command_ledger"))
                .isZero();
        assertThat(maintenance.idempotencyKeysDeleted()).isEqualTo(1);
        assertThat(partitions(dataSource))
                .doesNotContain("command_ledger_before_partitioning")
                .contains(monthPartition(
                        YearMonth.from(inFourMonths.atOffset(ZoneOffset.UTC)).plusMonths(2)));
        // and the ledger is kept from the start of the oldest month left, the one after this month
        List<String> months = partitions(dataSource);
        YearMonth nextMonth = YearMonth.now(ZoneOffset.UTC).plusMonths(1);
        assertThat(months.getFirst()).isEqualTo(monthPartition(nextMonth));
        Instant oldestKept = nextMonth.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        assertThat(partitions.keptFrom()).isEqualTo(oldestKept);
        assertThat(maintenance.keptFrom()).isEqualTo(oldestKept);
        // as another worker, which dropped nothing itself, reads it from the catalog
        var otherWorker = new LedgerPartitions(WorkerDatabase.dsl(dataSource), null, Clock.systemUTC());
        otherWorker.maintain(Instant.now());
        assertThat(otherWorker.keptFrom()).isEqualTo(oldestKept);
        // and a row of a month kept can still be written
        Database.execute(
                dataSource,
                "insert into command_ledger (command_id, tenant_id, command_type, outcome, accepted_at, applied_at,"
                        + " kafka_partition, kafka_offset, result) values ('" + UUID.randomUUID()
                        + "', 't', 'ConsumeLicense', 'LicenseConsumed', '" + inFourMonths + "', now(), 0, 1, '{}')");
    }

    @Test
    void shouldDeadLetterACommandOfADroppedMonthAndDecideOneOlderThanTheRetentionWhoseMonthIsKept() throws Exception {
        // given: three well-signed commands written straight to the topic (retention 30 days, months kept from three
        // months ago): one accepted 150 days ago, in a month dropped, one 40 days ago, in a month kept, one now
        var signer = new EnvelopeSignature("k1", Map.of("k1", ENVELOPE_KEY));
        var license = new LicenseRef(DemoSeeder.PRODUCT, DemoSeeder.LICENSE_KEY, null);
        UUID old = UUID.randomUUID();
        UUID olderThanTheRetention = UUID.randomUUID();
        UUID recent = UUID.randomUUID();
        long totalBefore = total();

        // when
        ForeignCommands.send(
                infra.bootstrapServers(),
                signer,
                Instant.now().minus(Duration.ofDays(150)),
                old,
                TENANT.tenantId(),
                license,
                DemoSeeder.HARDWARE_ID);
        ForeignCommands.send(
                infra.bootstrapServers(),
                signer,
                Instant.now().minus(Duration.ofDays(40)),
                olderThanTheRetention,
                TENANT.tenantId(),
                license,
                DemoSeeder.HARDWARE_ID);
        ForeignCommands.send(
                infra.bootstrapServers(),
                signer,
                Instant.now(),
                recent,
                TENANT.tenantId(),
                license,
                DemoSeeder.HARDWARE_ID);

        // then: the one of a dropped month is a dead letter that says why; the other two are decided (a command
        // answered 202 before an outage longer than the retention is not dead-lettered while its month is there)
        Map<String, String> reasons =
                KafkaState.deadLetterReasons(infra.bootstrapServers(), license.partitionKey(TENANT.tenantId()));
        assertThat(reasons.get(license.partitionKey(TENANT.tenantId())))
                .contains("not applied")
                .contains(keptFrom.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (ledgerRows(recent) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(ledgerRows(recent)).as("the recent command decided").isEqualTo(1);
        assertThat(ledgerRows(olderThanTheRetention))
                .as("the command older than the retention, of a month kept, decided")
                .isEqualTo(1);
        assertThat(ledgerRows(old)).as("the command of a dropped month decided").isZero();
        // (the one 40 days ago is decided by the license as it was then, consumed or refused; the total agrees)
        long consumed = Database.queryLong(
                pipeline.dataSource(),
                "select count(*) from command_ledger where command_id in ('" + recent + "', '" + olderThanTheRetention
                        + "') and outcome = 'LicenseConsumed'");
        assertThat(consumed).isPositive();
        assertThat(total()).isEqualTo(totalBefore + consumed);
    }

    /**
     * As if a retention had dropped the months before {@code from}: the partition of everything accepted before next
     * month (all its rows are recent) is attached again from {@code from} on, with the worker stopped.
     */
    private static void dropMonthsBefore(DataSource dataSource, Instant from) throws SQLException {
        String upper;
        try (var connection = dataSource.getConnection();
                var rows = connection
                        .createStatement()
                        .executeQuery(
                                "select (regexp_match(pg_get_expr(relpartbound, oid), 'TO \\(''([^'']+)''\\)'))[1]"
                                        + " from pg_class where relname = 'command_ledger_before_partitioning'")) {
            rows.next();
            upper = rows.getString(1);
        }
        Database.execute(dataSource, "alter table command_ledger detach partition command_ledger_before_partitioning");
        Database.execute(
                dataSource,
                "alter table command_ledger attach partition command_ledger_before_partitioning for values from ('"
                        + from + "') to ('" + upper + "')");
    }

    private static long total() throws Exception {
        return Database.queryLong(
                pipeline.dataSource(),
                "select total_consumptions from license where license_key = '" + DemoSeeder.LICENSE_KEY
                        + "' and tenant_id = '" + TENANT.tenantId() + "'");
    }

    private static long ledgerRows(UUID commandId) throws SQLException {
        return Database.queryLong(
                pipeline.dataSource(), "select count(*) from command_ledger where command_id = '" + commandId + "'");
    }

    private static List<String> partitions(DataSource dataSource) throws SQLException {
        try (var connection = dataSource.getConnection();
                var rows = connection
                        .createStatement()
                        .executeQuery("select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
                                + " where i.inhparent = 'command_ledger'::regclass order by 1")) {
            var names = new java.util.ArrayList<String>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            return names;
        }
    }

    private static String monthPartition(YearMonth month) {
        return "command_ledger_" + month.toString().replace("-", "_");
    }
}
