package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.client.DemoSeeder;
import io.tally.client.LicenseApiClient;
import io.tally.protocol.Command;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.TenantCredentials;
import io.tally.testsupport.TestInfrastructure;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A correctly signed command that the worker cannot apply: a test-only trigger raises on inserting the device
 * {@value #POISON_DEVICE}, as any failure that repeats at every delivery would. The command is isolated: refused
 * (500 {@code internal_error} naming the request), its refusal in the ledger and on the events topic, its record
 * dead-lettered with the reason, while the commands beside it in the same batch are applied in order and the partition
 * moves on. Before guarantee 6 the worker retried such a batch for ever and every license on the partition waited.
 */
class PoisonCommandIT {

    static final TenantCredentials TENANT =
            new TenantCredentials("poison-tenant", "poison-api", "poison-shared-0123456789", "poison-mgmt");
    static final String ENVELOPE_KEY = "poison-envelope-key-0123456789";
    static final String POISON_DEVICE = "poison-device";
    static final LicenseRef LICENSE = new LicenseRef(DemoSeeder.PRODUCT, DemoSeeder.LICENSE_KEY, null);
    static final JsonMapper JSON = JsonMapper.builder().build();

    static TestInfrastructure infra;
    static TallyPipeline pipeline;
    static DataSource database;
    static LicenseApiClient client;

    @BeforeAll
    static void start() throws Exception {
        infra = TestInfrastructure.get();
        var db = infra.databaseServer();
        String jdbcUrl = infra.newDatabase("poison_command_it");
        database = Database.of(jdbcUrl, db.username(), db.password());
        pipeline = TallyPipeline.startWorker(new TallyPipeline.Settings(
                infra.bootstrapServers(), jdbcUrl, db.username(), db.password(), ENVELOPE_KEY, 0, 0, 3));
        pipeline.tenants().register("Poison company", TENANT);
        pipeline.startGateway(Map.of("tally.reply-timeout", "10s"));
        pipeline.awaitGatewayReady(Duration.ofMinutes(1));
        new DemoSeeder(URI.create(pipeline.gatewayUrl()), TENANT.apiKey(), TENANT.sharedKey(), TENANT.managementKey())
                .seed();
        // Test-only: stands for any failure that repeats on every attempt (a bug, a value the database refuses).
        Database.execute(database, """
                create function poison_for_test() returns trigger language plpgsql as $$
                begin
                  if new.hardware_id = 'poison-device' then
                    raise exception 'poisoned for the test';
                  end if;
                  return new;
                end $$""");
        Database.execute(
                database,
                "create trigger poison_for_test before insert on device for each row execute function"
                        + " poison_for_test()");
        client = new LicenseApiClient(URI.create(pipeline.gatewayUrl()), TENANT.apiKey(), TENANT.sharedKey());
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldAnswerInternalErrorAtOnceAndKeepServingTheLicenseWhenACallCannotBeApplied() throws Exception {
        // given
        long totalBefore = total();

        // when: an activation the worker cannot apply, then an ordinary consumption of the same license
        long started = System.nanoTime();
        var poisoned = client.post(
                "activate_license",
                Map.of(
                        "product",
                        DemoSeeder.PRODUCT,
                        "license_key",
                        DemoSeeder.LICENSE_KEY,
                        "hardware_id",
                        POISON_DEVICE));
        Duration poisonedTook = Duration.ofNanos(System.nanoTime() - started);
        started = System.nanoTime();
        var next = client.post("add_consumption", ForeignCommands.demoConsumption());
        Duration nextTook = Duration.ofNanos(System.nanoTime() - started);

        // then: a definite answer naming the request, well within the reply wait; the license goes on
        String requestId = poisoned.headers().get("tally-request-id").getFirst();
        assertThat(poisoned.status()).as(poisoned.body()).isEqualTo(500);
        assertThat(JSON.readTree(poisoned.body()).path("code").asString()).isEqualTo("internal_error");
        assertThat(JSON.readTree(poisoned.body()).path("message").asString()).contains(requestId);
        assertThat(poisonedTook).isLessThan(Duration.ofSeconds(5));
        assertThat(next.status()).as(next.body()).isEqualTo(200);
        assertThat(nextTook).isLessThan(Duration.ofSeconds(1));
        assertThat(total()).isEqualTo(totalBefore + 1);
        // its refusal is recorded: ledger, dead letter with the reason, event
        assertThat(Database.queryLong(
                        database,
                        "select count(*) from command_ledger where command_id = '" + requestId
                                + "' and outcome = 'CommandRejected' and rejection_code = 'internal_error'"))
                .isEqualTo(1);
        assertThat(KafkaState.deadLetterReasonsByRequest(infra.bootstrapServers(), Set.of(requestId)))
                .hasEntrySatisfying(
                        requestId,
                        reason -> assertThat(reason)
                                .contains("P0001")
                                .contains("poisoned for the test")
                                .doesNotContain(TENANT.sharedKey()));
        var events = KafkaState.eventsById(infra.bootstrapServers(), Set.of(requestId));
        assertThat(events.get(requestId)).hasSize(1);
        assertThat(JSON.readTree(events.get(requestId).getFirst())
                        .path("rejection_code")
                        .asString())
                .isEqualTo("internal_error");
        assertThat(Database.queryLong(
                        database, "select count(*) from device where hardware_id = '" + POISON_DEVICE + "'"))
                .isZero();
    }

    @Test
    void shouldApplyTheNeighboursOfAPoisonCommandInOneBatchAndMoveOn() throws Exception {
        // given: the worker stopped, so that the poison command and its neighbours arrive in one poll batch
        var signer = new EnvelopeSignature("k1", Map.of("k1", ENVELOPE_KEY));
        long totalBefore = total();
        pipeline.stopWorker();
        List<Command> commands = new ArrayList<>();
        List<UUID> neighbours = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            if (i == 3) {
                commands.add(new LicenseCommand.ActivateLicense(
                        UUID.randomUUID(),
                        Instant.now(),
                        TENANT.tenantId(),
                        null,
                        LICENSE,
                        POISON_DEVICE,
                        null,
                        Map.of()));
            }
            UUID id = UUID.randomUUID();
            neighbours.add(id);
            commands.add(new LicenseCommand.ConsumeLicense(
                    id, Instant.now(), TENANT.tenantId(), null, LICENSE, DemoSeeder.HARDWARE_ID, 1, null, null));
        }
        UUID poison = commands.get(3).commandId();

        // when
        ForeignCommands.sendAll(infra.bootstrapServers(), signer, commands);
        pipeline.startWorkerAgain();

        // then: the neighbours applied, in order (totals before and after chain), the poison refused and dead-lettered
        assertThat(KafkaState.deadLetterReasonsByRequest(infra.bootstrapServers(), Set.of(poison.toString())))
                .containsKey(poison.toString());
        awaitLedgerRows(neighbours.size() + 1, commands);
        for (int i = 0; i < neighbours.size(); i++) {
            assertThat(Database.queryLong(
                            database,
                            "select total_after from command_ledger where command_id = '" + neighbours.get(i)
                                    + "' and outcome = 'LicenseConsumed'"))
                    .as("total after neighbour %d", i)
                    .isEqualTo(totalBefore + i + 1);
        }
        assertThat(Database.queryLong(
                        database,
                        "select count(*) from command_ledger where command_id = '" + poison
                                + "' and rejection_code = 'internal_error'"))
                .isEqualTo(1);
        assertThat(total()).isEqualTo(totalBefore + neighbours.size());
        // and the partition moves on: a later command through the gateway is answered at once
        long started = System.nanoTime();
        var later = client.post("add_consumption", ForeignCommands.demoConsumption());
        assertThat(later.status()).as(later.body()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        // and a copy of the poison command at a new offset (as a redrive writes it) is answered from the ledger: no
        // second event, no second dead letter
        var marker = new LicenseCommand.ConsumeLicense(
                UUID.randomUUID(),
                Instant.now(),
                TENANT.tenantId(),
                null,
                LICENSE,
                DemoSeeder.HARDWARE_ID,
                1,
                null,
                null);
        ForeignCommands.sendAll(infra.bootstrapServers(), signer, List.of(commands.get(3), marker));
        awaitLedgerRows(1, List.of(marker));
        var events = KafkaState.eventsById(
                infra.bootstrapServers(),
                Set.copyOf(commands.stream().map(c -> c.commandId().toString()).toList()));
        assertThat(events)
                .hasSize(commands.size())
                .allSatisfy((id, list) -> assertThat(list).hasSize(1));
        assertThat(KafkaState.deadLetterReasonsByRequest(infra.bootstrapServers(), Set.of(poison.toString())))
                .hasEntrySatisfying(
                        poison.toString(), reasons -> assertThat(reasons).doesNotContain(" | "));
    }

    private static void awaitLedgerRows(int expected, List<Command> commands) throws Exception {
        String ids = String.join(
                "','", commands.stream().map(c -> c.commandId().toString()).toList());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Database.queryLong(database, "select count(*) from command_ledger where command_id in ('" + ids + "')")
                        < expected
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static long total() throws Exception {
        return Database.queryLong(
                database,
                "select total_consumptions from license where license_key = '" + DemoSeeder.LICENSE_KEY
                        + "' and tenant_id = '" + TENANT.tenantId() + "'");
    }
}
