package io.tally.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.UUID;

/**
 * Users' passwords in commands: the gateway seals the digest it used to send in the clear, bound to the command and
 * the user, and the worker opens it before deciding, so that no record of the commands topic or its dead letters gives
 * anything to brute-force (ADR 24). Thread-safe.
 */
public final class CommandSecrets {

    private final SecretSealing sealing;

    public CommandSecrets(EnvelopeSignature keys) {
        this.sealing = new SecretSealing(keys);
    }

    /** The password of {@code username} as a command carries it: its digest sealed for this command and user. */
    public String sealPassword(UUID commandId, String username, String password) {
        return sealing.seal(passwordDigest(username, password), context(commandId, username));
    }

    /**
     * {@code command} with every sealed password opened into its digest, as the worker decides it; the same command
     * when it carries none.
     *
     * @throws MalformedMessageException when a sealed password does not open (another key, another command or user)
     */
    public Command opened(Command command) {
        return switch (command) {
            case LicenseCommand.ActivateLicense activate
            when activate.passwordSealed() != null ->
                new LicenseCommand.ActivateLicense(
                        activate.commandId(),
                        activate.acceptedAt(),
                        activate.tenantId(),
                        activate.idempotency(),
                        activate.license(),
                        activate.hardwareId(),
                        sealing.open(
                                activate.passwordSealed(),
                                context(activate.commandId(), activate.license().username())),
                        null,
                        activate.device());
            case ManagementCommand.CreateOrder order
            when hasSealedUser(order) ->
                new ManagementCommand.CreateOrder(
                        order.commandId(),
                        order.acceptedAt(),
                        order.tenantId(),
                        order.idempotency(),
                        order.orderId(),
                        order.customerEmail(),
                        order.items().stream()
                                .map(item -> new ManagementCommand.OrderItem(
                                        item.productCode(),
                                        item.licenses().stream()
                                                .map(license -> opened(order.commandId(), license))
                                                .toList()))
                                .toList());
            default -> command;
        };
    }

    /** base64 SHA-256 of {@code username:password}: what the worker stores (as PBKDF2 of it) and compares. */
    public static String passwordDigest(String username, String password) {
        try {
            return Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance("SHA-256")
                            .digest((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private ManagementCommand.LicenseSpec opened(UUID commandId, ManagementCommand.LicenseSpec license) {
        return new ManagementCommand.LicenseSpec(
                license.key(),
                license.users().stream()
                        .map(user -> user.passwordSealed() == null
                                ? user
                                : new ManagementCommand.UserSpec(
                                        user.email(),
                                        sealing.open(user.passwordSealed(), context(commandId, user.email()))))
                        .toList(),
                license.licenseType(),
                license.maxActivations(),
                license.validityPeriod(),
                license.settings(),
                license.floating());
    }

    private static boolean hasSealedUser(ManagementCommand.CreateOrder order) {
        return order.items().stream()
                .flatMap(item -> item.licenses().stream())
                .flatMap(license -> license.users().stream())
                .anyMatch(user -> user.passwordSealed() != null);
    }

    private static String context(UUID commandId, String username) {
        return Topics.COMMANDS + "/" + commandId + "/password/" + username;
    }
}
