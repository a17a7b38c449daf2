package io.tally.ops.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.protocol.Topics;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class TopicAclsTest {

    private final List<AclBinding> bindings =
            new TopicAcls("User:gw", "User:wk", "User:ops", "User:an", "analytics-").bindings();

    @Test
    void shouldLetAnalyticsReadOnlyEventsAndBalances() {
        assertThat(topicOperations("User:an"))
                .containsExactlyInAnyOrder(Topics.EVENTS + " READ", Topics.BALANCES + " READ");
    }

    @Test
    void shouldLetOnlyTheWorkerAndTheOperatorsWriteTheTenantsTopic() {
        assertThat(bindings.stream()
                        .filter(binding -> binding.pattern().name().equals(Topics.TENANTS))
                        .filter(binding -> binding.entry().operation() == AclOperation.WRITE)
                        .map(binding -> binding.entry().principal()))
                .containsExactlyInAnyOrder("User:wk", "User:ops");
    }

    @Test
    void shouldLetTheGatewayWriteOnlyCommands() {
        assertThat(topicOperations("User:gw"))
                .containsExactlyInAnyOrder(
                        Topics.COMMANDS + " WRITE", Topics.REPLIES + " READ", Topics.TENANTS + " READ");
    }

    @Test
    void shouldOnlyAllowAndNeverNameAWildcardResource() {
        assertThat(bindings).allSatisfy(binding -> {
            assertThat(binding.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
            assertThat(binding.pattern().name()).isNotEqualTo("*").isNotBlank();
            assertThat(binding.entry().principal()).isNotEqualTo("User:*");
        });
    }

    private List<String> topicOperations(String principal) {
        return bindings.stream()
                .filter(binding -> binding.entry().principal().equals(principal))
                .filter(binding -> binding.pattern().resourceType() == ResourceType.TOPIC)
                .map(binding -> binding.pattern().name() + " " + binding.entry().operation())
                .toList();
    }
}
