package io.tally.gateway;

import io.tally.gateway.consumption.PendingReplies;
import io.tally.gateway.consumption.ReplyPartitions;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.Topics;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

    @Bean
    ProtocolCodec protocolCodec() {
        return new ProtocolCodec();
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    EnvelopeSignature envelopeSignature(GatewayProperties properties) {
        return new EnvelopeSignature(properties.envelopeSigningKeyId(), properties.envelopeKeys());
    }

    /** Seals users' passwords into commands with the envelope keys. */
    @Bean
    io.tally.protocol.CommandSecrets commandSecrets(EnvelopeSignature signature) {
        return new io.tally.protocol.CommandSecrets(signature);
    }

    /**
     * The gateway instances read replies in one consumer group, so each reply partition is read by exactly one of
     * them ({@link ReplyPartitions}); each starts at the end of a partition it is given, since only replies to commands
     * it sends after that are its own.
     */
    @Bean
    ConcurrentMessageListenerContainer<String, byte[]> replyContainer(
            ConcurrentKafkaListenerContainerFactory<String, byte[]> factory,
            GatewayProperties properties,
            ReplyPartitions replyPartitions,
            PendingReplies pendingReplies) {
        ConcurrentMessageListenerContainer<String, byte[]> container = factory.createContainer(Topics.REPLIES);
        container.setupMessageListener(pendingReplies);
        container.getContainerProperties().setGroupId(properties.replyGroup());
        container.getContainerProperties().setConsumerRebalanceListener(replyPartitions);
        var consumer = container.getContainerProperties().getKafkaConsumerProperties();
        consumer.setProperty("auto.offset.reset", "latest");
        // Nothing needs the group's positions to be exact (a partition's new owner only needs replies to its own new
        // commands), so the container does not commit after every poll; the consumer's auto-commit is enough.
        consumer.setProperty("enable.auto.commit", "true");
        // Instances joining or leaving move only the partitions that must move; the others' calls are unaffected.
        consumer.setProperty(
                "partition.assignment.strategy",
                org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
        // A dead instance's partitions go to the others after this long (its own waiting calls are lost with it).
        consumer.setProperty("session.timeout.ms", "10000");
        return container;
    }

    /** Calls waiting for their replies, completed by the reply container's records. */
    @Bean
    PendingReplies pendingReplies(
            GatewayProperties properties,
            EnvelopeSignature signature,
            io.micrometer.core.instrument.MeterRegistry meters) {
        return new PendingReplies(properties.replyTimeout(), signature, meters);
    }

    /** Commands go out on it; their replies come back through {@link PendingReplies}. */
    @Bean
    KafkaTemplate<String, byte[]> kafkaTemplate(ProducerFactory<String, byte[]> producerFactory) {
        var template = new KafkaTemplate<>(producerFactory);
        // A failed send is answered 503 and logged once by Outcomes; the default listener would log it again, with a
        // stack trace, for every record of an overloaded broker.
        template.setProducerListener(null);
        return template;
    }

    /** Readiness includes it (gateway.yml): a gateway that cannot reach the broker can only answer 503. */
    @org.springframework.context.annotation.Bean
    io.tally.support.KafkaReachability kafkaHealthIndicator(org.springframework.kafka.core.KafkaAdmin kafkaAdmin) {
        return new io.tally.support.KafkaReachability(kafkaAdmin);
    }
}
