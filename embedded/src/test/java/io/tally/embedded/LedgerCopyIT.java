package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.protocol.CommandResult;
import io.tally.protocol.ProtocolCodec;
import io.tally.testsupport.TestInfrastructure;
import io.tally.worker.WorkerDatabase;
import io.tally.worker.ledger.Ledger;
import io.tally.worker.ledger.LedgerEntry;
import io.tally.worker.sql.ArrayParameter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ledger's binary {@code COPY} on a real PostgreSQL stores what the statement path stores: every field, nulls,
 * text that CSV would have had to quote (quotes, commas, new lines, backslashes, non-ASCII), times with nanoseconds,
 * rows in two monthly partitions, and the answer as JSON.
 */
class LedgerCopyIT {

    static TestInfrastructure infra;

    @BeforeAll
    static void start() {
        infra = TestInfrastructure.get();
    }

    @Test
    void shouldStoreThroughCopyExactlyWhatTheStatementStoresWhenFieldsAreAwkward() throws Exception {
        // given
        DSLContext dsl = WorkerDatabase.dsl(Database.migrated(infra, "ledger_copy_it"));
        var ledger = new Ledger(new ProtocolCodec());
        List<LedgerEntry> copied = entries();
        List<LedgerEntry> inserted = entries();

        // when: one set through COPY, the same values under other ids through the statement
        dsl.transaction(configuration -> ledger.write(configuration.dsl(), copied));
        dsl.transaction(configuration -> configuration.dsl().connection(connection -> {
            try (var statement = connection.prepareStatement(Ledger.INSERT_ENTRIES)) {
                ArrayParameter.bind(connection, statement, ledger.entryInserts(inserted));
                statement.executeUpdate();
            }
        }));

        // then
        Map<UUID, LedgerEntry> viaCopy =
                ledger.decided(dsl, copied.stream().map(LedgerEntry::commandId).toList());
        Map<UUID, LedgerEntry> viaStatement = ledger.decided(
                dsl, inserted.stream().map(LedgerEntry::commandId).toList());
        assertThat(viaCopy).hasSize(copied.size());
        for (int i = 0; i < copied.size(); i++) {
            LedgerEntry fromCopy = viaCopy.get(copied.get(i).commandId());
            LedgerEntry fromStatement = viaStatement.get(inserted.get(i).commandId());
            assertThat(fromCopy)
                    .usingRecursiveComparison()
                    .ignoringFields("commandId")
                    .isEqualTo(fromStatement);
            assertThat(fromCopy.acceptedAt())
                    .isEqualTo(copied.get(i).acceptedAt().truncatedTo(ChronoUnit.MICROS));
            assertThat(fromCopy.hardwareId()).isEqualTo(copied.get(i).hardwareId());
            assertThat(fromCopy.result()).isEqualTo(copied.get(i).result());
        }
    }

    private static List<LedgerEntry> entries() {
        var entries = new ArrayList<LedgerEntry>();
        entries.add(new LedgerEntry(
                UUID.randomUUID(),
                "tenant-1",
                42L,
                "ConsumeLicense",
                "Zoë \"🚀\", a\\b\nc\td",
                "feature, \"quoted\"",
                7,
                "LicenseConsumed",
                null,
                100L,
                107L,
                Instant.parse("2026-12-01T10:15:30.123456Z"),
                Instant.parse("2026-12-01T10:15:30.987654Z"),
                3,
                123_456_789_012L,
                new CommandResult.OrderCreated(
                        "order \"1\"",
                        List.of(new CommandResult.CreatedLicense(9, "app", "KEY-1,2", "zoë@example.com")))));
        entries.add(new LedgerEntry(
                UUID.randomUUID(),
                "tenant-2",
                null,
                "CreateProduct",
                null,
                null,
                null,
                "CommandRejected",
                "license_not_found",
                null,
                null,
                Instant.parse("2026-11-30T23:59:59.999999Z"),
                Instant.parse("2026-12-01T00:00:00Z"),
                0,
                0L,
                new CommandResult.ProductCreated(5)));
        return entries;
    }
}
