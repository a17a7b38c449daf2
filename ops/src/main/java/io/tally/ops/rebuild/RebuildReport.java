package io.tally.ops.rebuild;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A rebuild's outcome as lines of text for people (the command's --json prints the same as one object). */
final class RebuildReport {

    private RebuildReport() {}

    static void print(
            PrintWriter out,
            String group,
            long applied,
            int tenantCount,
            Map<Integer, Long> offsets,
            Map<String, Long> skipped,
            long othersTenants,
            long lag,
            int compared,
            List<TotalsComparison.Difference> differences) {
        out.printf(
                "Applied %d commands of %d tenants up to offsets %s%s%s%n",
                applied,
                tenantCount,
                new TreeMap<>(offsets),
                skipped.isEmpty() ? "" : "; skipped as the worker dead-letters them: " + skipped,
                othersTenants == 0 ? "" : "; " + othersTenants + " of other tenants not applied");
        if (lag != 0) {
            out.printf(
                    "Note: the live group %s is %d commands %s that end; its totals may differ by those.%n",
                    group, Math.abs(lag), lag > 0 ? "behind" : "past");
        }
        if (differences.isEmpty()) {
            out.printf("Every total matches the live database (%d figures compared).%n", compared);
            return;
        }
        out.printf("%d figures differ (live vs rebuilt):%n", differences.size());
        differences.forEach(difference -> out.printf(
                "  %s: live %s, rebuilt %s%n",
                difference.name(),
                difference.live() == null ? "absent" : difference.live(),
                difference.rebuilt() == null ? "absent" : difference.rebuilt()));
    }
}
