package io.tally.gateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.gateway.api.ApiException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TenantRateLimitsTest {

    final AtomicLong clock = new AtomicLong();

    @Test
    void shouldRefuseATenantOverItsLimitWith429AndLeaveOthersAlone() {
        // given: 2 requests/s by default, 5 for tenant b
        var limits = new TenantRateLimits(2, Map.of("b", 5.0), clock::get);

        // when / then
        limits.admit("a");
        limits.admit("a");
        assertThatThrownBy(() -> limits.admit("a")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.error().status()).isEqualTo(429);
            assertThat(e.error().code()).isEqualTo("too_many_requests");
        });
        for (int i = 0; i < 5; i++) {
            limits.admit("b");
        }
        assertThatThrownBy(() -> limits.admit("b")).isInstanceOf(ApiException.class);
        // half a second later tenant a has one request again
        clock.addAndGet(500_000_000L);
        limits.admit("a");
        assertThatThrownBy(() -> limits.admit("a")).isInstanceOf(ApiException.class);
    }

    @Test
    void shouldNotLimitWhenTheLimitIsZero() {
        var limits = new TenantRateLimits(0, Map.of("capped", 1.0), clock::get);

        for (int i = 0; i < 10_000; i++) {
            limits.admit("free");
        }
        limits.admit("capped");
        assertThatThrownBy(() -> limits.admit("capped")).isInstanceOf(ApiException.class);
    }
}
