package io.tally.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CommandSecretsTest {

    private static final LicenseRef USER_LICENSE = new LicenseRef("app", null, "ada@example.com", null);

    private final CommandSecrets secrets = new CommandSecrets(new EnvelopeSignature("k1", Map.of("k1", "key-one")));
    private final ProtocolCodec codec = new ProtocolCodec();

    @Test
    void shouldCarryNeitherThePasswordNorItsDigestAndOpenIntoTheDigest() {
        UUID id = UUID.randomUUID();
        var sent = activation(id, secrets.sealPassword(id, "ada@example.com", "correct horse"));
        String digest = CommandSecrets.passwordDigest("ada@example.com", "correct horse");

        String onTopic = new String(codec.encodeCommand(sent), StandardCharsets.UTF_8);
        var opened = (LicenseCommand.ActivateLicense)
                secrets.opened(codec.decodeCommand(onTopic.getBytes(StandardCharsets.UTF_8)));

        assertThat(onTopic).doesNotContain("correct horse", digest);
        assertThat(opened.passwordDigest()).isEqualTo(digest);
        assertThat(opened.passwordSealed()).isNull();
    }

    @Test
    void shouldRefuseASealedPasswordMovedToAnotherCommandOrUser() {
        UUID id = UUID.randomUUID();
        String sealed = secrets.sealPassword(id, "ada@example.com", "pw");

        assertThatThrownBy(() -> secrets.opened(activation(UUID.randomUUID(), sealed)))
                .isInstanceOf(MalformedMessageException.class);
        var otherUser = new LicenseCommand.ActivateLicense(
                id,
                Instant.EPOCH,
                "t",
                null,
                new LicenseRef("app", null, "eve@example.com", null),
                "hw",
                null,
                sealed,
                Map.of());
        assertThatThrownBy(() -> secrets.opened(otherUser)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void shouldOpenEveryUserOfAnOrder() {
        UUID id = UUID.randomUUID();
        var order = new ManagementCommand.CreateOrder(
                id,
                Instant.EPOCH,
                "t",
                null,
                "order-1",
                null,
                List.of(new ManagementCommand.OrderItem(
                        "app",
                        List.of(new ManagementCommand.LicenseSpec(
                                null,
                                List.of(new ManagementCommand.UserSpec(
                                        "ada@example.com", null, secrets.sealPassword(id, "ada@example.com", "pw"))),
                                "perpetual",
                                1,
                                null,
                                null)))));

        var opened = (ManagementCommand.CreateOrder) secrets.opened(order);

        assertThat(opened.items().getFirst().licenses().getFirst().users().getFirst())
                .isEqualTo(new ManagementCommand.UserSpec(
                        "ada@example.com", CommandSecrets.passwordDigest("ada@example.com", "pw")));
    }

    @Test
    void shouldLeaveACommandWithoutPasswordsAsItIs() {
        var activation = activation(UUID.randomUUID(), null);

        assertThat(secrets.opened(activation)).isSameAs(activation);
    }

    private static LicenseCommand.ActivateLicense activation(UUID id, String sealed) {
        return new LicenseCommand.ActivateLicense(
                id, Instant.EPOCH, "t", null, USER_LICENSE, "hw", null, sealed, Map.of());
    }
}
