package io.tally.gateway;

import io.tally.gateway.consumption.CommandDispatcher;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.Topics;
import java.time.Clock;
import java.util.UUID;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;

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

    /**
     * Each gateway instance reads replies in a consumer group of its own, from the end of the topic: it only needs
     * the replies to commands it sent after it started.
     */
    @Bean
    ConcurrentMessageListenerContainer<String, byte[]> replyContainer(
            ConcurrentKafkaListenerContainerFactory<String, byte[]> factory) {
        ConcurrentMessageListenerContainer<String, byte[]> container = factory.createContainer(Topics.REPLIES);
        container.getContainerProperties().setGroupId("tally-gateway-" + UUID.randomUUID());
        container.getContainerProperties().getKafkaConsumerProperties().setProperty("auto.offset.reset", "latest");
        // Nothing needs this group's position (a restarted instance starts at the end), so the container does not
        // commit it after every poll; the consumer's background auto-commit is enough and costs no round trip.
        container.getContainerProperties().getKafkaConsumerProperties().setProperty("enable.auto.commit", "true");
        container.setAutoStartup(false);
        return container;
    }

    @Bean
    ReplyingKafkaTemplate<String, byte[], byte[]> replyingKafkaTemplate(
            ProducerFactory<String, byte[]> producerFactory,
            ConcurrentMessageListenerContainer<String, byte[]> replyContainer,
            GatewayProperties properties) {
        var template = new ReplyingKafkaTemplate<>(producerFactory, replyContainer);
        template.setDefaultReplyTimeout(properties.replyTimeout());
        template.setCorrelationIdStrategy(CommandDispatcher::correlationOf);
        // Replies to other instances' commands are expected on a shared topic: not an error.
        template.setSharedReplyTopic(true);
        return template;
    }

    /** Readiness includes it (gateway.yml): a gateway that cannot reach the broker can only answer 503. */
    @org.springframework.context.annotation.Bean
    io.tally.support.KafkaReachability kafkaHealthIndicator(org.springframework.kafka.core.KafkaAdmin kafkaAdmin) {
        return new io.tally.support.KafkaReachability(kafkaAdmin);
    }
}
