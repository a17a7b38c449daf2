package io.tally.protocol;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns protocol values into the bytes carried on Tally's topics and back. Every message carries
 * {@code schema_version}; a version this code does not know is refused rather than guessed at.
 *
 * <p>Thread-safe and stateless; share one instance.
 */
public final class ProtocolCodec {

    /** The version of the v1 topics' message schemas this code writes and reads. */
    public static final int SCHEMA_VERSION = 1;

    private static final String SCHEMA_VERSION_FIELD = "schema_version";

    /** How every message this codec writes begins. */
    private static final byte[] VERSION_PREFIX = ("{\"" + SCHEMA_VERSION_FIELD + "\":" + SCHEMA_VERSION + ",")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final JsonMapper mapper = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            // Additive schema changes within a version must not break older readers.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public byte[] encodeCommand(Command command) {
        return encode(command, Command.class);
    }

    public Command decodeCommand(byte[] bytes) {
        return decode(bytes, Command.class);
    }

    public byte[] encodeReply(CommandReply reply) {
        return encode(reply, CommandReply.class);
    }

    public CommandReply decodeReply(byte[] bytes) {
        return decode(bytes, CommandReply.class);
    }

    public byte[] encodeEvent(CommandEvent event) {
        return encode(event, CommandEvent.class);
    }

    public CommandEvent decodeEvent(byte[] bytes) {
        return decode(bytes, CommandEvent.class);
    }

    public byte[] encodeBalance(LicenseBalance balance) {
        return encode(balance, LicenseBalance.class);
    }

    public LicenseBalance decodeBalance(byte[] bytes) {
        return decode(bytes, LicenseBalance.class);
    }

    public byte[] encodeTenant(SealedTenant tenant) {
        return encode(tenant, SealedTenant.class);
    }

    public SealedTenant decodeTenant(byte[] bytes) {
        return decode(bytes, SealedTenant.class);
    }

    /** Writes {@code result} alone, e.g. to keep it in the ledger. */
    public String encodeResult(CommandResult result) {
        return mapper.writerFor(CommandResult.class).writeValueAsString(result);
    }

    public CommandResult decodeResult(String json) {
        try {
            return mapper.readValue(json, CommandResult.class);
        } catch (JacksonException e) {
            throw new MalformedMessageException("unreadable result: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The value's JSON object with {@code schema_version} spliced in as its first field: one serialisation, no tree.
     * {@code writerFor(type)} so that the "type" discriminator of sealed hierarchies is written.
     */
    private <T> byte[] encode(T value, Class<T> type) {
        byte[] body = mapper.writerFor(type).writeValueAsBytes(value);
        // body is "{...}"; an empty object needs no comma after the version.
        boolean empty = body.length == 2;
        byte[] message = new byte[VERSION_PREFIX.length + body.length - (empty ? 2 : 1)];
        System.arraycopy(VERSION_PREFIX, 0, message, 0, VERSION_PREFIX.length);
        if (empty) {
            message[VERSION_PREFIX.length - 1] = '}';
        } else {
            System.arraycopy(body, 1, message, VERSION_PREFIX.length, body.length - 1);
        }
        return message;
    }

    /**
     * Messages this codec wrote start with {@link #VERSION_PREFIX} and are read in one pass (the version field is
     * skipped as an unknown property); any other layout, from another writer, goes through a tree to find and check the
     * version wherever it is.
     */
    private <T> T decode(byte[] bytes, Class<T> type) {
        try {
            if (startsWithVersionPrefix(bytes)) {
                return mapper.readValue(bytes, type);
            }
            if (!(mapper.readTree(bytes) instanceof ObjectNode tree)) {
                throw new MalformedMessageException("message is not a JSON object", null);
            }
            var version = tree.remove(SCHEMA_VERSION_FIELD);
            if (version == null || !version.isInt() || version.intValue() != SCHEMA_VERSION) {
                throw new MalformedMessageException("unsupported schema_version " + version, null);
            }
            return mapper.treeToValue(tree, type);
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            throw new MalformedMessageException("unreadable " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static boolean startsWithVersionPrefix(byte[] bytes) {
        if (bytes.length <= VERSION_PREFIX.length) {
            return false;
        }
        for (int i = 0; i < VERSION_PREFIX.length; i++) {
            if (bytes[i] != VERSION_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }
}
