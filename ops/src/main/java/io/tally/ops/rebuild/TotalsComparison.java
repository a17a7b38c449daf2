package io.tally.ops.rebuild;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Compares the live figures with the rebuilt ones. Pure. */
final class TotalsComparison {

    /** A figure that differs; {@code null} where one side does not have it at all. */
    record Difference(String name, Long live, Long rebuilt) {}

    private TotalsComparison() {}

    /** Every figure whose value differs or which only one side has, by name. */
    static List<Difference> differences(Map<String, Long> live, Map<String, Long> rebuilt) {
        var names = new TreeSet<String>(live.keySet());
        names.addAll(rebuilt.keySet());
        List<Difference> differences = new ArrayList<>();
        for (String name : names) {
            Long left = live.get(name);
            Long right = rebuilt.get(name);
            if (left == null || !left.equals(right)) {
                differences.add(new Difference(name, left, right));
            }
        }
        return differences;
    }
}
