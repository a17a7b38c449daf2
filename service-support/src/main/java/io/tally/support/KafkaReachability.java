package io.tally.support;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Whether the Kafka cluster answers, for readiness: a service that cannot reach the broker cannot take or apply
 * commands, so a load balancer should send its calls elsewhere. Asks the cluster to describe itself, waiting at most
 * {@link #TIMEOUT}; says nothing about addresses or credentials.
 *
 * <p>Thread-safe; one admin client for the life of the service.
 */
public final class KafkaReachability implements HealthIndicator, AutoCloseable {

    /** Short, so that readiness turns within a probe period of the broker going away. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final Admin admin;

    public KafkaReachability(KafkaAdmin kafkaAdmin) {
        var config = new java.util.HashMap<>(kafkaAdmin.getConfigurationProperties());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        this.admin = Admin.create(config);
    }

    @Override
    public Health health() {
        try {
            int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .nodes()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .size();
            return Health.up().withDetail("brokers", brokers).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down().withDetail("kafka", "interrupted").build();
        } catch (Exception e) {
            return Health.down()
                    .withDetail("kafka", "not reachable within " + TIMEOUT.toSeconds() + " s")
                    .build();
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(1));
    }
}
