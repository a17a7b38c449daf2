package io.tally.gateway;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the gateway ({@code tally.*}).
 *
 * @param envelopeKeys keys for signing commands, by id (from the environment or a secrets file, never committed)
 * @param envelopeSigningKeyId which of {@code envelopeKeys} signs new commands
 * @param replyTimeout how long a call waits for the worker before answering {@code request_pending}
 * @param maxInFlight commands waiting for a reply at once; beyond it calls get 429 at once
 * @param maxUnacknowledged commands produced and not yet acknowledged by the broker at once; beyond it calls get 429
 *     at once, so that a broker slowed down never holds more than it acknowledges within the producer's delivery
 *     timeout
 * @param replyGroup the consumer group all gateway instances of one deployment share on the replies topic
 * @param tenantRateLimit requests per second each tenant may send through this gateway, 0 for no limit
 * @param tenantRateLimits per-tenant overrides of {@code tenantRateLimit}, by tenant id
 */
@ConfigurationProperties("tally")
public record GatewayProperties(
        Map<String, String> envelopeKeys,
        String envelopeSigningKeyId,
        @DefaultValue("10s") Duration replyTimeout,
        @DefaultValue("2000") int maxInFlight,
        @DefaultValue("256") int maxUnacknowledged,
        @DefaultValue("tally-gateway-replies") String replyGroup,
        @DefaultValue("0") double tenantRateLimit,
        Map<String, Double> tenantRateLimits) {

    public GatewayProperties {
        if (envelopeKeys == null || envelopeKeys.isEmpty()) {
            throw new IllegalArgumentException(
                    "tally.envelope-keys is empty: set at least one envelope key, e.g. TALLY_ENVELOPEKEYS_K1=<secret>");
        }
        envelopeKeys = Map.copyOf(envelopeKeys);
        if (maxUnacknowledged < 1) {
            throw new IllegalArgumentException("tally.max-unacknowledged must be at least 1, was " + maxUnacknowledged);
        }
        tenantRateLimits = tenantRateLimits == null ? Map.of() : Map.copyOf(tenantRateLimits);
        for (double limit : concat(tenantRateLimit, tenantRateLimits.values())) {
            if (limit != 0 && limit < 1) {
                throw new IllegalArgumentException(
                        "a tenant rate limit is 0 (none) or at least 1 request per second, was " + limit);
            }
        }
        if (envelopeSigningKeyId == null) {
            envelopeSigningKeyId =
                    envelopeKeys.keySet().stream().sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    private static double[] concat(double first, java.util.Collection<Double> rest) {
        double[] all = new double[rest.size() + 1];
        all[0] = first;
        int i = 1;
        for (double value : rest) {
            all[i++] = value;
        }
        return all;
    }
}
