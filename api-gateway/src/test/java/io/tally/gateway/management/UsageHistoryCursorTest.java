package io.tally.gateway.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.gateway.api.ApiException;
import io.tally.gateway.validation.InputLimits;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UsageHistoryCursorTest {

    private static String encoded(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldReadBackTheCursorAPageGave() {
        // given
        var cursor = new UsageHistoryController.Cursor(Instant.parse("2026-11-30T10:15:30.123456Z"), UUID.randomUUID());

        // when / then
        assertThat(UsageHistoryController.Cursor.decode(cursor.encode(), InputLimits.DEFAULTS))
                .isEqualTo(cursor);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "+300000-01-01T00:00:00Z|00000000-0000-0000-0000-000000000001",
                "1969-12-31T23:59:59Z|00000000-0000-0000-0000-000000000001",
                "2026-11-30T10:15:30Z|not-a-uuid",
                "2026-11-30T10:15:30Z",
                "\u0000|\u0000"
            })
    void shouldRefuseACursorNoPageGave(String text) {
        assertThatThrownBy(() -> UsageHistoryController.Cursor.decode(encoded(text), InputLimits.DEFAULTS))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.error().code()).isEqualTo("validation_error"));
    }

    @Test
    void shouldRefuseAnOverlongOrUndecodableCursor() {
        assertThatThrownBy(() -> UsageHistoryController.Cursor.decode("A".repeat(10_000), InputLimits.DEFAULTS))
                .isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> UsageHistoryController.Cursor.decode("%%%", InputLimits.DEFAULTS))
                .isInstanceOf(ApiException.class);
    }
}
