package io.tally.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class ProtocolCodecTest {

    private final ProtocolCodec codec = new ProtocolCodec();
    private final JsonMapper json = JsonMapper.builder().build();

    private static final LicenseCommand.ConsumeLicense COMMAND = new LicenseCommand.ConsumeLicense(
            UUID.fromString("7f0c7f5e-2a55-4a8a-9d1b-6f0a3c1e2b40"),
            Instant.parse("2026-11-28T07:00:00.123Z"),
            "demo",
            null,
            new LicenseRef("demo-app", "AAAA-BBBB", null),
            "hw-1",
            5,
            null,
            null);

    @Test
    void shouldRoundTripCommandAndMatchItsSchema() {
        // when
        byte[] bytes = codec.encodeCommand(COMMAND);

        // then
        assertThat(codec.decodeCommand(bytes)).isEqualTo(COMMAND);
        assertThat(errors("tally.commands.v1.json", bytes)).isEmpty();
        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .contains(
                        "\"schema_version\":1",
                        "\"type\":\"ConsumeLicense\"",
                        "\"accepted_at\":\"2026-11-28T07:00:00.123Z\"");
    }

    @Test
    void shouldRoundTripBothReplyKindsAndMatchTheirSchema() {
        // given
        var consumed = new CommandReply(
                COMMAND.commandId(),
                new CommandResult.LicenseConsumed(new LicenseTotals(1, 100, 7, false, true, false, 0, false, null)));
        var rejected = new CommandReply(
                COMMAND.commandId(),
                new CommandResult.CommandRejected(Rejection.of(RejectionType.LICENSE_NOT_ENOUGH_CONSUMPTIONS)));

        for (CommandReply reply : List.of(consumed, rejected)) {
            // when
            byte[] bytes = codec.encodeReply(reply);

            // then
            assertThat(codec.decodeReply(bytes)).isEqualTo(reply);
            assertThat(errors("tally.replies.v1.json", bytes)).isEmpty();
        }
    }

    @Test
    void shouldNeverPrintKeys() {
        var tenant = new TenantCredentials("demo", "api-key", "shared-secret", "mgmt-secret");

        assertThat(tenant.toString()).doesNotContain("shared-secret", "mgmt-secret");
    }

    @Test
    void shouldRejectMessageOfUnknownSchemaVersion() {
        // given
        ObjectNode tree = (ObjectNode) json.readTree(codec.encodeCommand(COMMAND));
        tree.put("schema_version", 2);

        // when / then
        assertThatThrownBy(() -> codec.decodeCommand(json.writeValueAsBytes(tree)))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("schema_version");
        assertThat(errors("tally.commands.v1.json", json.writeValueAsBytes(tree)))
                .isNotEmpty();
    }

    @Test
    void shouldReadMessageWhoseVersionIsNotTheFirstField() {
        // given: the same command from another writer, its fields in another order
        ObjectNode tree = (ObjectNode) json.readTree(codec.encodeCommand(COMMAND));
        tree.remove("schema_version");
        tree.put("schema_version", 1);

        // when / then
        assertThat(new String(json.writeValueAsBytes(tree), StandardCharsets.UTF_8))
                .doesNotStartWith("{\"schema_version\"");
        assertThat(codec.decodeCommand(json.writeValueAsBytes(tree))).isEqualTo(COMMAND);
    }

    @Test
    void shouldRejectMessageWithoutSchemaVersion() {
        // given
        ObjectNode tree = (ObjectNode) json.readTree(codec.encodeCommand(COMMAND));
        tree.remove("schema_version");

        // when / then
        assertThatThrownBy(() -> codec.decodeCommand(json.writeValueAsBytes(tree)))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("schema_version");
    }

    @Test
    void shouldRejectUnparseableBytes() {
        assertThatThrownBy(() -> codec.decodeCommand("{not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> codec.decodeCommand("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void shouldFailSchemaWhenRequiredFieldMissing() {
        ObjectNode tree = (ObjectNode) json.readTree(codec.encodeCommand(COMMAND));
        tree.remove("hardware_id");

        assertThat(errors("tally.commands.v1.json", json.writeValueAsBytes(tree)))
                .isNotEmpty();
    }

    static List<Error> errors(String schemaFile, byte[] message) {
        // tally.tenants.v2.json is in v2/, the others in v1/.
        String version = schemaFile.replaceAll(".*\\.(v[0-9]+)\\..*", "$1");
        try (InputStream in = ProtocolCodecTest.class.getResourceAsStream("/schemas/" + version + "/" + schemaFile)) {
            Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(in);
            return schema.validate(JsonMapper.builder().build().readTree(message));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
