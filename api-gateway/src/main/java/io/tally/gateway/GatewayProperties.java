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
 * @param replyGroup the consumer group all gateway instances of one deployment share on the replies topic
 */
@ConfigurationProperties("tally")
public record GatewayProperties(
        Map<String, String> envelopeKeys,
        String envelopeSigningKeyId,
        @DefaultValue("10s") Duration replyTimeout,
        @DefaultValue("2000") int maxInFlight,
        @DefaultValue("tally-gateway-replies") String replyGroup) {

    public GatewayProperties {
        if (envelopeKeys == null || envelopeKeys.isEmpty()) {
            throw new IllegalArgumentException(
                    "tally.envelope-keys is empty: set at least one envelope key, e.g. TALLY_ENVELOPEKEYS_K1=<secret>");
        }
        envelopeKeys = Map.copyOf(envelopeKeys);
        if (envelopeSigningKeyId == null) {
            envelopeSigningKeyId =
                    envelopeKeys.keySet().stream().sorted().reduce((a, b) -> b).orElseThrow();
        }
    }
}
