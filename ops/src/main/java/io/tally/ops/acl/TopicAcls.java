package io.tally.ops.acl;

import io.tally.protocol.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Least privilege on Kafka for Tally's principals (ADR 24): each may do on each topic, group and transactional id only
 * what its code does, so that no principal but Tally's own services reads a topic that carries tenants' data for them
 * (commands, replies, tenants) or writes one they trust. Everything not listed is denied by the standard authorizer
 * ({@code allow.everyone.if.no.acl.found=false}).
 *
 * <table>
 * <caption>Who reads (R) and writes (W) which topic</caption>
 * <tr><th>Topic</th><th>gateway</th><th>worker</th><th>operators' tool</th><th>analytics</th></tr>
 * <tr><td>tally.commands.v1</td><td>W</td><td>R</td><td>R W (replay, redrive, rebuild)</td><td>-</td></tr>
 * <tr><td>tally.replies.v1</td><td>R</td><td>W</td><td>-</td><td>-</td></tr>
 * <tr><td>tally.events.v1</td><td>-</td><td>W</td><td>-</td><td>R</td></tr>
 * <tr><td>tally.balances.v1</td><td>-</td><td>W</td><td>-</td><td>R</td></tr>
 * <tr><td>tally.tenants.v2</td><td>R</td><td>W</td><td>R W (tenants, api-keys, rebuild)</td><td>-</td></tr>
 * <tr><td>tally.commands.v1.dlt</td><td>-</td><td>W</td><td>R (redrive)</td><td>-</td></tr>
 * </table>
 *
 * <p>Groups: the worker's {@code tally-worker-commands} (the operators' tool rewinds it), the gateways'
 * {@code tally-gateway-replies}, the tool's {@code tally-ops-} prefix, the analytics principal's prefix. The worker's
 * transactional ids begin {@code tally-worker-}; it also creates Tally's topics at start.
 *
 * @param gateway principal of the gateways, e.g. {@code User:tally-gateway}
 * @param worker principal of the workers
 * @param operators principal of {@code tally-ops}
 * @param analytics principal of analytics readers
 * @param analyticsGroupPrefix the consumer groups analytics readers may use begin with it
 */
public record TopicAcls(
        String gateway, String worker, String operators, String analytics, String analyticsGroupPrefix) {

    static final String WORKER_GROUP = "tally-worker-commands";
    static final String GATEWAY_GROUP = "tally-gateway-replies";
    static final String OPERATORS_GROUP_PREFIX = "tally-ops-";
    static final String WORKER_TRANSACTIONAL_ID_PREFIX = "tally-worker-";

    /** Every binding, principal by principal. */
    public List<AclBinding> bindings() {
        List<AclBinding> bindings = new ArrayList<>();
        // Gateway: sends commands, reads its replies in its group, follows the tenants topic without a group.
        topic(bindings, gateway, Topics.COMMANDS, AclOperation.WRITE);
        topic(bindings, gateway, Topics.REPLIES, AclOperation.READ);
        topic(bindings, gateway, Topics.TENANTS, AclOperation.READ);
        group(bindings, gateway, GATEWAY_GROUP, PatternType.LITERAL, AclOperation.READ);
        // Worker: reads commands in its group, writes everything it decides in transactions, creates the topics.
        topic(bindings, worker, Topics.COMMANDS, AclOperation.READ);
        for (String written :
                List.of(Topics.REPLIES, Topics.EVENTS, Topics.BALANCES, Topics.TENANTS, Topics.COMMANDS_DLT)) {
            topic(bindings, worker, written, AclOperation.WRITE);
        }
        for (String topic : topics()) {
            topic(bindings, worker, topic, AclOperation.CREATE);
            topic(bindings, worker, topic, AclOperation.DESCRIBE_CONFIGS);
        }
        group(bindings, worker, WORKER_GROUP, PatternType.LITERAL, AclOperation.READ);
        bindings.add(allow(
                new ResourcePattern(
                        ResourceType.TRANSACTIONAL_ID, WORKER_TRANSACTIONAL_ID_PREFIX, PatternType.PREFIXED),
                worker,
                AclOperation.WRITE));
        // Operators' tool: replays (rewinds the worker's group), redrives dead letters, rebuilds, publishes tenants.
        topic(bindings, operators, Topics.COMMANDS, AclOperation.READ);
        topic(bindings, operators, Topics.COMMANDS, AclOperation.WRITE);
        topic(bindings, operators, Topics.COMMANDS_DLT, AclOperation.READ);
        topic(bindings, operators, Topics.TENANTS, AclOperation.READ);
        topic(bindings, operators, Topics.TENANTS, AclOperation.WRITE);
        group(bindings, operators, WORKER_GROUP, PatternType.LITERAL, AclOperation.READ);
        group(bindings, operators, OPERATORS_GROUP_PREFIX, PatternType.PREFIXED, AclOperation.READ);
        // Analytics: the two topics made for it, in groups of its own.
        topic(bindings, analytics, Topics.EVENTS, AclOperation.READ);
        topic(bindings, analytics, Topics.BALANCES, AclOperation.READ);
        group(bindings, analytics, analyticsGroupPrefix, PatternType.PREFIXED, AclOperation.READ);
        return List.copyOf(bindings);
    }

    /** Tally's topics, which the worker creates. */
    static List<String> topics() {
        return List.of(
                Topics.COMMANDS, Topics.COMMANDS_DLT, Topics.REPLIES, Topics.EVENTS, Topics.BALANCES, Topics.TENANTS);
    }

    private static void topic(List<AclBinding> bindings, String principal, String topic, AclOperation operation) {
        bindings.add(allow(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL), principal, operation));
    }

    private static void group(
            List<AclBinding> bindings, String principal, String group, PatternType pattern, AclOperation operation) {
        bindings.add(allow(new ResourcePattern(ResourceType.GROUP, group, pattern), principal, operation));
    }

    private static AclBinding allow(ResourcePattern resource, String principal, AclOperation operation) {
        return new AclBinding(resource, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }
}
