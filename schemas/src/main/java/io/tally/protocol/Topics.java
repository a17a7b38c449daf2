package io.tally.protocol;

/** Names of the topics Tally owns. A breaking change to a message means a new topic version, never an edit. */
public final class Topics {
    /** Commands keyed by license ({@link LicenseRef#partitionKey(String)}); the only way license state changes. */
    public static final String COMMANDS = "tally.commands.v1";
    /** Records the worker could not accept (unsigned, tampered, unparseable), with the reason in headers. */
    public static final String COMMANDS_DLT = "tally.commands.v1.dlt";
    /**
     * Header of a dead letter saying why it could not be applied; beside it are the original record's headers and
     * Spring Kafka's {@code kafka_dlt-original-topic}, {@code -partition} and {@code -offset}.
     */
    public static final String DLT_REASON_HEADER = "tally-dlt-reason";
    /** One {@link CommandReply} per command, back to the gateway that waits for it. */
    public static final String REPLIES = "tally.replies.v1";
    /** One {@link CommandEvent} per decided command, exactly once for {@code read_committed} consumers. */
    public static final String EVENTS = "tally.events.v1";
    /** Compacted: the latest {@link LicenseBalance} of every license, keyed as its commands. */
    public static final String BALANCES = "tally.balances.v1";
    /**
     * Compacted: the credentials of every tenant, keyed by API key, read by gateways to authenticate calls; signed, with
     * its secrets sealed ({@link TenantRecords}). Replaces {@code tally.tenants.v1}, whose records carried them in the
     * clear.
     */
    public static final String TENANTS = "tally.tenants.v2";

    private Topics() {}
}
