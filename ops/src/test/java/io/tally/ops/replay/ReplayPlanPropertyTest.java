package io.tally.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A replay never skips a command and never rewinds past what the topic still holds. */
class ReplayPlanPropertyTest {

    record Case(ReplayPlan.PartitionOffsets offsets, long requested) {}

    @Property(tries = 1_000)
    void shouldNeverMoveTheGroupPastWhereItWouldResume(@ForAll("cases") Case example) {
        ReplayPlan.Move move = ReplayPlan.plan(
                        List.of(example.offsets()), Map.of(example.offsets().partition(), example.requested()))
                .getFirst();
        var offsets = example.offsets();
        // Where the worker would resume anyway: its committed offset, or the earliest record (offset reset).
        long resumeAt = Math.max(offsets.position(), offsets.earliest());
        assertThat(move.from()).isEqualTo(offsets.position());
        assertThat(move.to()).isLessThanOrEqualTo(resumeAt).isGreaterThanOrEqualTo(offsets.earliest());
        assertThat(move.replayed()).isGreaterThanOrEqualTo(0);
    }

    @Property(tries = 1_000)
    void shouldReplayFromTheRequestedOffsetWhenTheGroupIsPastIt(@ForAll("cases") Case example) {
        var offsets = example.offsets();
        long requested = example.requested();
        ReplayPlan.Move move = ReplayPlan.plan(List.of(offsets), Map.of(offsets.partition(), requested))
                .getFirst();
        if (requested >= offsets.earliest() && requested <= offsets.position() && offsets.position() <= offsets.end()) {
            assertThat(move.to()).isEqualTo(requested);
            assertThat(move.replayed()).isEqualTo(offsets.position() - requested);
        }
    }

    @Property(tries = 200)
    void shouldLeaveAPartitionAloneWhenNothingIsRequestedForIt(@ForAll("cases") Case example) {
        var offsets = example.offsets();
        ReplayPlan.Move move = ReplayPlan.plan(List.of(offsets), Map.of()).getFirst();
        if (offsets.position() >= offsets.earliest() && offsets.position() <= offsets.end()) {
            assertThat(move.replayed()).isZero();
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Long> small = Arbitraries.longs().between(0, 1_000);
        return Combinators.combine(
                        Arbitraries.integers().between(0, 11),
                        small,
                        small,
                        small.injectNull(0.2),
                        Arbitraries.longs().between(-10, 2_000))
                .as((partition, a, b, committed, requested) -> new Case(
                        new ReplayPlan.PartitionOffsets(partition, Math.min(a, b), Math.max(a, b), committed),
                        requested));
    }
}
