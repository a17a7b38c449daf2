package io.tally.examples.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class HourlyUsageTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HourlyUsage usage = new HourlyUsage();

    @Test
    void shouldSumAppliedUnitsPerHourAndProductLicenseAndFeatureApart() {
        // given
        usage.add(event("ConsumeLicense", "app", "2026-11-28T10:05:00Z", 5));
        usage.add(event("ConsumeLicense", "app", "2026-11-28T10:59:59.999Z", 2));
        usage.add(event("ConsumeFeature", "app", "2026-11-28T10:30:00Z", 3));
        usage.add(event("ConsumeLicense", "app", "2026-11-28T11:00:00Z", 1));
        usage.add(event("ConsumeLicense", "other", "2026-11-28T10:00:00Z", 7));

        // then
        assertThat(usage.rows())
                .containsExactly(
                        java.util.Map.entry(key("2026-11-28T10:00:00Z", "app"), new HourlyUsage.Units(7, 3, 3)),
                        java.util.Map.entry(key("2026-11-28T10:00:00Z", "other"), new HourlyUsage.Units(7, 0, 1)),
                        java.util.Map.entry(key("2026-11-28T11:00:00Z", "app"), new HourlyUsage.Units(1, 0, 1)));
    }

    @Test
    void shouldCountARefusalAsARequestWithoutUnitsAndIgnoreCommandsThatDoNotConsume() {
        // given
        usage.add(event("ConsumeLicense", "app", "2026-11-28T10:05:00Z", 0));
        boolean counted = usage.add(event("CheckLicense", "app", "2026-11-28T10:05:00Z", null));

        // then
        assertThat(counted).isFalse();
        assertThat(usage.rows())
                .containsExactly(
                        java.util.Map.entry(key("2026-11-28T10:00:00Z", "app"), new HourlyUsage.Units(0, 0, 1)));
    }

    private static HourlyUsage.Key key(String hour, String product) {
        return new HourlyUsage.Key(Instant.parse(hour), "t", product);
    }

    private static tools.jackson.databind.JsonNode event(
            String command, String product, String acceptedAt, Integer applied) {
        var node = JSON.createObjectNode()
                .put("schema_version", 1)
                .put("event_id", java.util.UUID.randomUUID().toString())
                .put("command", command)
                .put("outcome", "LicenseConsumed")
                .put("tenant_id", "t")
                .put("product", product)
                .put("accepted_at", acceptedAt)
                .put("applied_at", acceptedAt);
        if (applied != null) {
            node.put("consumptions_applied", applied);
        }
        return node;
    }
}
