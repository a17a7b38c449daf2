package io.tally.embedded;

import io.tally.protocol.Command;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Well-formed commands written straight to the commands topic, by default signed with an envelope key no worker has, so
 * that each becomes a dead letter. Well-formed, because the broker is shared with tests that check every command against its schema.
 */
final class ForeignCommands {

    private static final EnvelopeSignature FOREIGN =
            new EnvelopeSignature("k9", Map.of("k9", "a-key-the-worker-never-had-0123456"));

    private ForeignCommands() {}

    /**
     * Produces a consumption of one unit with {@code requestId} as its command id (also in the gateway's
     * {@code tally-command-id} header) and returns its signature.
     */
    static String send(String bootstrapServers, UUID requestId, String tenantId, LicenseRef license, String hardwareId)
            throws Exception {
        return send(bootstrapServers, FOREIGN, Instant.now(), requestId, tenantId, license, hardwareId);
    }

    /** Like {@link #send(String, UUID, String, LicenseRef, String)}, signed with {@code signer}, accepted at {@code acceptedAt}. */
    static String send(
            String bootstrapServers,
            EnvelopeSignature signer,
            Instant acceptedAt,
            UUID requestId,
            String tenantId,
            LicenseRef license,
            String hardwareId)
            throws Exception {
        var command = new LicenseCommand.ConsumeLicense(
                requestId, acceptedAt, tenantId, null, license, hardwareId, 1, null, null);
        return sendAll(bootstrapServers, signer, java.util.List.of(command)).getFirst();
    }

    /**
     * Produces {@code commands} signed with {@code signer}, in order, as the gateway would (but with no reply asked
     * for), and returns their signatures once the broker has them all.
     */
    static java.util.List<String> sendAll(
            String bootstrapServers, EnvelopeSignature signer, java.util.List<? extends Command> commands)
            throws Exception {
        var signatures = new java.util.ArrayList<String>();
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", bootstrapServers, "linger.ms", 20),
                new StringSerializer(),
                new ByteArraySerializer())) {
            var sent = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (Command command : commands) {
                var record = new ProducerRecord<String, byte[]>(
                        Topics.COMMANDS, command.partitionKey(), new ProtocolCodec().encodeCommand(command));
                record.headers()
                        .add(
                                EnvelopeSignature.COMMAND_ID_HEADER,
                                command.commandId().toString().getBytes(StandardCharsets.UTF_8));
                signer.signRecord(EnvelopeSignature.Kind.COMMAND, record);
                sent.add(producer.send(record));
                signatures.add(new String(
                        record.headers()
                                .lastHeader(EnvelopeSignature.SIGNATURE_HEADER)
                                .value(),
                        StandardCharsets.UTF_8));
            }
            for (var future : sent) {
                future.get();
            }
        }
        return signatures;
    }

    /** The body of an {@code add_consumption} of one unit on the demo license's device, as a client sends it. */
    static Map<String, Object> demoConsumption() {
        return Map.of(
                "product",
                io.tally.client.DemoSeeder.PRODUCT,
                "license_key",
                io.tally.client.DemoSeeder.LICENSE_KEY,
                "hardware_id",
                io.tally.client.DemoSeeder.HARDWARE_ID,
                "consumptions",
                1);
    }
}
