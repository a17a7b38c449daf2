package io.tally.worker;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the worker ({@code tally.*}).
 *
 * @param envelopeKeys keys that may have signed commands, by id (from the environment or a secrets file, never
 *     committed); several at once during a key rotation
 * @param partitions partitions of the topics the worker creates when they are missing
 * @param replicationFactor replicas of those topics
 * @param minInsyncReplicas replicas that must have a record before the broker acknowledges it ({@code acks=all});
 *     unset, one less than {@code replicationFactor} (at least 1), so that losing one broker loses nothing and stops
 *     nothing
 * @param replyPartitions partitions of the replies topic: at most this many gateway instances can own one
 * @param ledgerRetention how long ledger rows (and Idempotency-Keys) are kept, whole months at a time; unset keeps
 *     them forever. Commands accepted before it are not applied but dead-lettered (ADR 17)
 * @param commandsRetentionMs retention of the commands topic when the worker creates it; -1 (the default) keeps every
 *     command, which a rebuild from the topic and a replay after restoring an old backup need
 * @param licenseCacheSize licenses whose state the worker keeps between batches (see
 *     {@link io.tally.worker.license.LicenseCache}); 0 reads every license from PostgreSQL each batch
 */
@ConfigurationProperties("tally")
public record WorkerProperties(
        Map<String, String> envelopeKeys,
        @DefaultValue("6") int partitions,
        @DefaultValue("1") short replicationFactor,
        Integer minInsyncReplicas,
        @DefaultValue("12") int replyPartitions,
        java.time.Duration ledgerRetention,
        @DefaultValue("-1") long commandsRetentionMs,
        @DefaultValue("100000") long licenseCacheSize) {

    public WorkerProperties {
        if (envelopeKeys == null || envelopeKeys.isEmpty()) {
            throw new IllegalArgumentException(
                    "tally.envelope-keys is empty: set at least one envelope key, e.g. TALLY_ENVELOPEKEYS_K1=<secret>");
        }
        envelopeKeys = Map.copyOf(envelopeKeys);
        if (ledgerRetention != null && ledgerRetention.compareTo(java.time.Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException(
                    "tally.ledger-retention must be at least a day (e.g. 400d), was " + ledgerRetention);
        }
        if (minInsyncReplicas == null) {
            minInsyncReplicas = Math.max(1, replicationFactor - 1);
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException(
                    "tally.min-insync-replicas must be between 1 and tally.replication-factor (" + replicationFactor
                            + "), was " + minInsyncReplicas);
        }
    }
}
