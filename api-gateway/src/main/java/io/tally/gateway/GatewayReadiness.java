package io.tally.gateway;

import io.tally.gateway.tenant.TenantKeys;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * The gateway can answer calls once it knows the tenants' keys, follows their changes, and its reply consumer owns
 * the reply partitions; before that, a call could be refused for an unknown key, accepted with a revoked one, or its
 * reply missed.
 */
@Component("tally")
class GatewayReadiness implements HealthIndicator {

    private final TenantKeys tenants;
    private final ConcurrentMessageListenerContainer<String, byte[]> replies;

    GatewayReadiness(TenantKeys tenants, ConcurrentMessageListenerContainer<String, byte[]> replyContainer) {
        this.tenants = tenants;
        this.replies = replyContainer;
    }

    @Override
    public Health health() {
        boolean tenantsRead = tenants.isCaughtUp();
        // Not following (its reader failed and waits to read again): a key revoked meanwhile would still be accepted.
        boolean tenantsFollowed = tenants.isFollowing();
        var assigned = replies.getAssignedPartitions();
        boolean repliesAssigned = assigned != null && !assigned.isEmpty();
        var builder = tenantsRead && tenantsFollowed && repliesAssigned ? Health.up() : Health.down();
        return builder.withDetail("tenantKeysRead", tenantsRead)
                .withDetail("tenantKeysFollowed", tenantsFollowed)
                .withDetail("replyPartitionsAssigned", repliesAssigned)
                .build();
    }
}
