package io.tally.worker;

import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.Topics;
import java.time.Clock;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    @Bean
    ProtocolCodec protocolCodec() {
        return new ProtocolCodec();
    }

    /** See {@link WorkerDatabase#dsl}. */
    @Bean
    org.jooq.DSLContext dslContext(javax.sql.DataSource dataSource) {
        return WorkerDatabase.dsl(dataSource);
    }

    /** For Spring components that ask for one (Flyway does not); the Kafka transaction manager exists beside it. */
    @Bean
    @org.springframework.context.annotation.Primary
    org.springframework.jdbc.support.JdbcTransactionManager transactionManager(javax.sql.DataSource dataSource) {
        return new org.springframework.jdbc.support.JdbcTransactionManager(dataSource);
    }

    /**
     * Not transactional: replies (sent as soon as their batch's PostgreSQL transaction committed) and tenant keys. A
     * batch's events, balances, dead letters and offsets go through its consumer's
     * {@link io.tally.worker.intake.CommitStage}, with transactional producers of its own.
     */
    @Bean
    org.springframework.kafka.core.KafkaTemplate<String, byte[]> kafkaTemplate(
            org.springframework.kafka.core.ProducerFactory<String, byte[]> producerFactory) {
        var template = new org.springframework.kafka.core.KafkaTemplate<>(producerFactory);
        template.setAllowNonTransactional(true);
        return template;
    }

    /**
     * After the migrations and before the listener consumes (beans start before containers), so a command always
     * finds its month.
     */
    @Bean(initMethod = "start")
    @org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization
    io.tally.worker.ledger.LedgerPartitions ledgerPartitions(
            org.jooq.DSLContext dsl, WorkerProperties properties, Clock clock) {
        return new io.tally.worker.ledger.LedgerPartitions(dsl, properties.ledgerRetention(), clock);
    }

    @Bean
    io.tally.worker.license.LicenseCache licenseCache(WorkerProperties properties) {
        return new io.tally.worker.license.LicenseCache(properties.licenseCacheSize());
    }

    /** Readiness includes it (worker.yml): a worker that cannot reach the broker applies nothing. */
    @Bean
    io.tally.support.KafkaReachability kafkaHealthIndicator(KafkaAdmin kafkaAdmin) {
        return new io.tally.support.KafkaReachability(kafkaAdmin);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Verifies commands with any configured key; signs replies and tenants records with the lowest key id, the one
     * gateways have longest during a rotation (a new key goes to workers first, then gateways sign with the highest).
     */
    @Bean
    EnvelopeSignature envelopeSignature(WorkerProperties properties) {
        return new EnvelopeSignature(
                properties.envelopeKeys().keySet().stream().sorted().findFirst().orElseThrow(),
                properties.envelopeKeys());
    }

    /** How many batches took each path of {@link io.tally.worker.batch.CommandBatchApplier}. */
    @Bean
    io.micrometer.core.instrument.binder.MeterBinder batchPaths(io.tally.worker.batch.CommandBatchApplier applier) {
        return registry -> {
            io.micrometer.core.instrument.FunctionCounter.builder(
                            "tally.worker.batch.paths", applier, a -> a.batchesDecidedOnCache())
                    .description("Batches decided on cached license state, written and committed in one round trip")
                    .tag("path", "cache")
                    .register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder(
                            "tally.worker.batch.paths", applier, a -> a.batchesDecidedAfterReading())
                    .description("Batches decided after reading and locking first")
                    .tag("path", "read")
                    .register(registry);
        };
    }

    /** Listener containers hand partitions over cleanly ({@link io.tally.worker.intake.PartitionHandover}). */
    @Bean
    org.springframework.kafka.config.ContainerCustomizer<
                    Object,
                    Object,
                    org.springframework.kafka.listener.ConcurrentMessageListenerContainer<Object, Object>>
            handoverOnRevocation(io.tally.worker.intake.PartitionHandover installer) {
        return container -> installer.install(container.getContainerProperties());
    }

    @Bean
    KafkaAdmin.NewTopics tallyTopics(WorkerProperties properties) {
        return new KafkaAdmin.NewTopics(
                topic(Topics.COMMANDS, properties.partitions(), properties)
                        .config(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(properties.commandsRetentionMs()))
                        .build(),
                topic(Topics.REPLIES, properties.replyPartitions(), properties).build(),
                topic(Topics.EVENTS, properties.partitions(), properties).build(),
                topic(Topics.BALANCES, properties.partitions(), properties)
                        .config(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)
                        .build(),
                topic(Topics.COMMANDS_DLT, properties.partitions(), properties).build(),
                topic(Topics.TENANTS, 1, properties)
                        .config(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)
                        .build());
    }

    /** Every topic is replicated alike, and acknowledged writes (acks=all) reach {@code minInsyncReplicas} brokers. */
    private static TopicBuilder topic(String name, int partitions, WorkerProperties properties) {
        return TopicBuilder.name(name)
                .partitions(partitions)
                .replicas(properties.replicationFactor())
                .config(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(properties.minInsyncReplicas()));
    }
}
