package io.tally.ops.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TotalsComparisonTest {

    @Test
    void shouldFindNothingWhenEveryFigureIsEqual() {
        assertThat(TotalsComparison.differences(Map.of("a", 1L, "b", 2L), Map.of("b", 2L, "a", 1L)))
                .isEmpty();
    }

    @Test
    void shouldListChangedAndOneSidedFiguresByNameWhenTheyDiffer() {
        var differences = TotalsComparison.differences(
                Map.of("a total", 5L, "b total", 3L, "live only", 1L), Map.of("a total", 6L, "b total", 3L, "new", 0L));

        assertThat(differences)
                .containsExactly(
                        new TotalsComparison.Difference("a total", 5L, 6L),
                        new TotalsComparison.Difference("live only", 1L, null),
                        new TotalsComparison.Difference("new", null, 0L));
    }

    @Test
    void shouldReplaceTheDatabaseWhenTheUrlNamesOne() {
        assertThat(RebuildCommand.withDatabase("jdbc:postgresql://db:5432/tally?ssl=true", "tally_rebuild_1"))
                .isEqualTo("jdbc:postgresql://db:5432/tally_rebuild_1?ssl=true");
        assertThat(RebuildCommand.withDatabase("jdbc:postgresql://127.0.0.1:15432/tally", "x"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:15432/x");
        assertThatThrownBy(() -> RebuildCommand.withDatabase("jdbc:postgresql://db:5432/", "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
