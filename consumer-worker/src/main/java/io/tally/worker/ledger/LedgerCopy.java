package io.tally.worker.ledger;

import io.tally.protocol.CommandResult;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Ledger entries in PostgreSQL's binary {@code COPY} format: numbers, ids and times as the server stores them, so
 * that neither side formats or parses text for them, and strings as UTF-8 without quoting or escaping. A pure
 * function of the entries; thread-safe.
 *
 * <p>Every field's type is the column's exact type ({@code uuid}, {@code int8}, {@code int4}, {@code timestamptz},
 * text for {@code varchar} and {@code json}): binary {@code COPY} refuses a batch whose field does not match its
 * column, so {@link #STATEMENT} and {@link #encode} change together with the table.
 */
final class LedgerCopy {

    static final String STATEMENT = "copy command_ledger (command_id, tenant_id, license_id, command_type,"
            + " hardware_id, feature, consumptions, outcome, rejection_code, total_before, total_after, accepted_at,"
            + " applied_at, kafka_partition, kafka_offset, result) from stdin with (format binary)";

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    private static final int FIELDS = 16;

    /** PostgreSQL's epoch for timestamps: 2000-01-01T00:00:00Z, in seconds since the Unix epoch. */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;

    private LedgerCopy() {}

    /** The {@code COPY} data for {@code entries}, each entry's result written by {@code results}. */
    static byte[] encode(List<LedgerEntry> entries, Function<CommandResult, String> results) {
        var bytes = new ByteArrayOutputStream(64 + entries.size() * 512);
        try (var out = new DataOutputStream(bytes)) {
            out.write(SIGNATURE);
            out.writeInt(0); // flags: no OIDs
            out.writeInt(0); // no header extension
            for (LedgerEntry entry : entries) {
                out.writeShort(FIELDS);
                uuid(out, entry.commandId());
                text(out, entry.tenantId());
                int8(out, entry.licenseId());
                text(out, entry.commandType());
                text(out, entry.hardwareId());
                text(out, entry.feature());
                int4(out, entry.consumptions());
                text(out, entry.outcome());
                text(out, entry.rejectionCode());
                int8(out, entry.totalBefore());
                int8(out, entry.totalAfter());
                timestamp(out, entry.acceptedAt());
                timestamp(out, entry.appliedAt());
                int4(out, entry.partition());
                int8(out, entry.offset());
                text(out, results.apply(entry.result()));
            }
            out.writeShort(-1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Microseconds since PostgreSQL's epoch, rounded half to even as the server rounds a time given as text: a
     * command written here or by a statement stores the same instant.
     */
    static long postgresMicros(Instant instant) {
        long micros = Math.multiplyExact(instant.getEpochSecond() - POSTGRES_EPOCH_SECONDS, 1_000_000L)
                + instant.getNano() / 1_000;
        int rest = instant.getNano() % 1_000;
        if (rest > 500 || (rest == 500 && (micros & 1) == 1)) {
            micros++;
        }
        return micros;
    }

    private static void uuid(DataOutputStream out, UUID value) throws IOException {
        out.writeInt(16);
        out.writeLong(value.getMostSignificantBits());
        out.writeLong(value.getLeastSignificantBits());
    }

    private static void text(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static void int8(DataOutputStream out, Long value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(8);
        out.writeLong(value);
    }

    private static void int4(DataOutputStream out, Integer value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(4);
        out.writeInt(value);
    }

    private static void timestamp(DataOutputStream out, Instant value) throws IOException {
        out.writeInt(8);
        out.writeLong(postgresMicros(value));
    }
}
