package io.tally.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Against a model of an all-or-nothing batch whose elements in a "poison" set make it fail: every other element is
 * applied exactly once and in order, every poison element is isolated exactly once, and the cost stays near
 * {@code 2k log2(n)} applications.
 */
class BisectionPropertyTest {

    /** What the batch applier did, in order: applied elements, or isolated ones. */
    record Log(List<String> entries) {}

    @Property(tries = 500)
    void shouldApplyEveryHealthyElementOnceInOrderAndIsolateEveryPoisonedOne(
            @ForAll @IntRange(min = 1, max = 300) int size,
            @ForAll @Size(max = 6) Set<@IntRange(max = 299) Integer> poison) {
        // given
        List<Integer> elements = IntStream.range(0, size).boxed().toList();
        List<Integer> attempts = new ArrayList<>();

        // when
        Log log = Bisection.apply(
                elements,
                part -> {
                    attempts.add(part.size());
                    if (part.stream().anyMatch(poison::contains)) {
                        throw new IllegalStateException("poison in " + part);
                    }
                    return new Log(part.stream().map(e -> "applied " + e).toList());
                },
                (element, failure) -> new Log(List.of("isolated " + element)),
                (first, second) -> {
                    List<String> both = new ArrayList<>(first.entries());
                    both.addAll(second.entries());
                    return new Log(both);
                },
                failure -> false,
                (partSize, failure) -> {});

        // then: the log is the list itself, each element applied or isolated, in order
        List<String> expected = elements.stream()
                .map(e -> (poison.contains(e) ? "isolated " : "applied ") + e)
                .toList();
        assertThat(log.entries()).isEqualTo(expected);
        long poisoned = elements.stream().filter(poison::contains).count();
        int depth = 32 - Integer.numberOfLeadingZeros(size);
        assertThat(attempts.size()).isLessThanOrEqualTo(1 + 2 * (int) Math.max(1, poisoned) * depth);
    }

    @Test
    void shouldRethrowATransientFailureWithoutSplitting() {
        // given
        List<Integer> attempts = new ArrayList<>();
        Set<Integer> isolated = new HashSet<>();

        // when / then
        assertThatThrownBy(() -> Bisection.apply(
                        List.of(1, 2, 3, 4),
                        part -> {
                            attempts.add(part.size());
                            throw new IllegalStateException("database down");
                        },
                        (element, failure) -> isolated.add(element),
                        (first, second) -> first,
                        failure -> true,
                        (partSize, failure) -> {}))
                .hasMessage("database down");
        assertThat(attempts).containsExactly(4);
        assertThat(isolated).isEmpty();
    }
}
