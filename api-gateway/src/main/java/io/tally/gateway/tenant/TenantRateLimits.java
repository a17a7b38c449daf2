package io.tally.gateway.tenant;

import io.tally.gateway.GatewayProperties;
import io.tally.gateway.api.ApiError;
import io.tally.gateway.api.ApiException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Requests per second each tenant may send through this gateway ({@code tally.tenant-rate-limit}, overridden per
 * tenant by {@code tally.tenant-rate-limits.<tenant id>}; 0 is unlimited), so that one tenant's burst cannot take the
 * capacity every tenant shares. A tenant over its limit gets 429 {@code too_many_requests} with {@code Retry-After}
 * at once; nothing is produced. Each gateway counts alone: behind a load balancer over {@code n} gateways a tenant
 * gets up to {@code n} times its limit in all.
 *
 * <p>Thread-safe and lock-free: each tenant's {@link TokenBucket} is replaced by compare-and-set.
 */
@Component
public class TenantRateLimits {

    private final double defaultPerSecond;
    private final Map<String, Double> perTenant;
    private final LongSupplier nanoTime;
    private final Map<String, AtomicReference<TokenBucket>> buckets = new ConcurrentHashMap<>();

    @Autowired
    public TenantRateLimits(GatewayProperties properties) {
        this(properties.tenantRateLimit(), properties.tenantRateLimits(), System::nanoTime);
    }

    TenantRateLimits(double defaultPerSecond, Map<String, Double> perTenant, LongSupplier nanoTime) {
        this.defaultPerSecond = defaultPerSecond;
        this.perTenant = Map.copyOf(perTenant);
        this.nanoTime = nanoTime;
    }

    /** Counts one request of {@code tenantId}, or refuses it with 429 when the tenant is over its limit. */
    public void admit(String tenantId) {
        double perSecond = perTenant.getOrDefault(tenantId, defaultPerSecond);
        if (perSecond <= 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        AtomicReference<TokenBucket> bucket =
                buckets.computeIfAbsent(tenantId, ignored -> new AtomicReference<>(TokenBucket.full(perSecond, now)));
        while (true) {
            TokenBucket current = bucket.get();
            TokenBucket.Taken taken = current.take(perSecond, now);
            if (bucket.compareAndSet(current, taken.bucket())) {
                if (!taken.allowed()) {
                    throw new ApiException(new ApiError(
                            429, "too_many_requests", "Too many requests for this account; retry shortly"));
                }
                return;
            }
        }
    }
}
