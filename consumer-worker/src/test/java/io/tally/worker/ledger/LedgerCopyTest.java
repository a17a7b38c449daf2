package io.tally.worker.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerCopyTest {

    private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    @Test
    void shouldRoundTimesToMicrosecondsHalfToEvenWhenNanosecondsRemain() {
        assertThat(LedgerCopy.postgresMicros(POSTGRES_EPOCH)).isZero();
        assertThat(LedgerCopy.postgresMicros(POSTGRES_EPOCH.plusNanos(1_499))).isEqualTo(1);
        assertThat(LedgerCopy.postgresMicros(POSTGRES_EPOCH.plusNanos(1_500))).isEqualTo(2);
        assertThat(LedgerCopy.postgresMicros(POSTGRES_EPOCH.plusNanos(2_500))).isEqualTo(2);
        assertThat(LedgerCopy.postgresMicros(POSTGRES_EPOCH.plusNanos(2_501))).isEqualTo(3);
        assertThat(LedgerCopy.postgresMicros(POSTGRES_EPOCH.minusNanos(1_000))).isEqualTo(-1);
        assertThat(LedgerCopy.postgresMicros(Instant.parse("2026-12-01T10:15:30.123456Z")))
                .isEqualTo(849_435_330_123_456L);
    }

    @Test
    void shouldFrameRowsWithTheSignatureFieldCountsAndTrailerWhenEncoding() {
        byte[] empty = LedgerCopy.encode(List.of(), result -> "{}");

        assertThat(Arrays.copyOf(empty, 11)).isEqualTo("PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer rest = ByteBuffer.wrap(empty, 11, empty.length - 11);
        assertThat(rest.getInt()).as("flags").isZero();
        assertThat(rest.getInt()).as("header extension").isZero();
        assertThat(rest.getShort()).as("trailer").isEqualTo((short) -1);
        assertThat(rest.hasRemaining()).isFalse();
    }
}
