package io.tally.examples.analytics;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Units consumed per tenant, product and hour (of the request's {@code accepted_at}, UTC), license and feature units
 * apart, from {@code tally.events.v1} events. Each event counts {@code consumptions_applied}, the amount the total
 * actually moved: 0 for a refusal or for an Idempotency-Key retry answered with an earlier result, so the sums equal
 * the changes of the totals. A {@code read_committed} reader sees each event exactly once, so nothing is deduplicated
 * here; a reader that cannot be sure of that (a copy of the topic, another isolation level) would keep the
 * {@code event_id}s it counted.
 *
 * <p>Not thread-safe: one reader adds, then prints.
 */
public final class HourlyUsage {

    /** The commands that consume; others (checks, activations, management) carry no usage. */
    private static final Set<String> CONSUMING = Set.of("ConsumeLicense", "ConsumeFeature");

    /** One row of the report. */
    public record Key(Instant hour, String tenant, String product) implements Comparable<Key> {
        @Override
        public int compareTo(Key other) {
            int byHour = hour.compareTo(other.hour);
            if (byHour != 0) {
                return byHour;
            }
            int byTenant = tenant.compareTo(other.tenant);
            return byTenant != 0 ? byTenant : product.compareTo(other.product);
        }
    }

    /** Units of one row. */
    public record Units(long license, long feature, long requests) {
        Units plus(boolean isFeature, long units) {
            return new Units(license + (isFeature ? 0 : units), feature + (isFeature ? units : 0), requests + 1);
        }
    }

    private final Map<Key, Units> rows = new TreeMap<>();

    /** Counts one event (the value of a {@code tally.events.v1} record); returns whether it counted. */
    public boolean add(JsonNode event) {
        String command = text(event, "command");
        String product = text(event, "product");
        if (!CONSUMING.contains(command) || product == null) {
            return false;
        }
        JsonNode applied = event.get("consumptions_applied");
        long units = applied == null || applied.isNull() ? 0 : applied.asLong();
        Instant hour = Instant.parse(text(event, "accepted_at")).truncatedTo(ChronoUnit.HOURS);
        rows.merge(
                new Key(hour, text(event, "tenant_id"), product),
                new Units(0, 0, 0).plus(command.equals("ConsumeFeature"), units),
                (a, b) -> new Units(a.license() + b.license(), a.feature() + b.feature(), a.requests() + b.requests()));
        return true;
    }

    /** The rows, by hour, tenant and product. */
    public Map<Key, Units> rows() {
        return java.util.Collections.unmodifiableMap(rows);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }
}
