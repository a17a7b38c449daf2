package io.tally.worker.floating;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.protocol.RejectionType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The seat rules against the simplest model of them: a list of devices with their last check-in and borrow, scanned
 * whole at every step. For any sequence of check-ins, borrows, releases, expiry runs and clock advances, both decide
 * the same, the rules never hold more seats than {@code floating_users}, and every seat ends exactly at its time.
 */
class SeatRulesPropertyTest {

    private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");

    sealed interface Step {}

    record CheckIn(String device) implements Step {}

    record Borrow(String device, Integer hours) implements Step {}

    record Release(String device) implements Step {}

    record Expire() implements Step {}

    record Advance(int minutes) implements Step {}

    record ModelSeat(Instant checkedInAt, Instant borrowedUntil, Instant end) {}

    @Property(tries = 500)
    void shouldDecideAsTheModelAndNeverHoldMoreThanTheSeats(
            @ForAll("settings") FloatingSettings settings, @ForAll("steps") List<Step> steps) {
        SeatPool pool = SeatPool.empty();
        Map<String, ModelSeat> model = new TreeMap<>();
        Instant now = START;
        Instant previous = START;
        for (Step step : steps) {
            if (step instanceof Advance advance) {
                now = now.plus(Duration.ofMinutes(advance.minutes()));
                continue;
            }
            List<SeatChange> expected = new ArrayList<>();
            Map<String, ModelSeat> live = expire(model, now, expected);
            RejectionType expectedRefusal = null;
            switch (step) {
                case CheckIn checkIn -> {
                    ModelSeat held = live.get(checkIn.device());
                    if (held == null && live.size() >= settings.users()) {
                        expectedRefusal = RejectionType.FLOATING_NOT_AVAILABLE;
                    } else {
                        live.put(checkIn.device(), seat(now, held == null ? null : held.borrowedUntil(), settings));
                        expected.add(change(
                                held == null ? SeatChange.Kind.TAKEN : SeatChange.Kind.RENEWED,
                                now,
                                checkIn.device(),
                                live));
                    }
                }
                case Borrow borrow -> {
                    Instant longest = now.plus(Duration.ofHours(settings.maxBorrowHours()));
                    Instant until = borrow.hours() == null ? longest : now.plus(Duration.ofHours(borrow.hours()));
                    if (!settings.canBorrow() || settings.maxBorrowHours() == 0) {
                        expectedRefusal = RejectionType.LICENSE_BORROW_NOT_ALLOWED;
                    } else if (!until.isAfter(now) || until.isAfter(longest)) {
                        expectedRefusal = RejectionType.BORROW_UNTIL_NOT_VALID;
                    } else if (!live.containsKey(borrow.device()) && live.size() >= settings.users()) {
                        expectedRefusal = RejectionType.FLOATING_NOT_AVAILABLE;
                    } else {
                        live.put(borrow.device(), seat(now, until, settings));
                        expected.add(change(SeatChange.Kind.BORROWED, now, borrow.device(), live));
                    }
                }
                case Release release -> {
                    ModelSeat held = live.remove(release.device());
                    if (held == null) {
                        expectedRefusal = RejectionType.FLOATING_NOT_AVAILABLE;
                    } else {
                        expected.add(new SeatChange(
                                SeatChange.Kind.RELEASED,
                                null,
                                now,
                                new Seat(release.device(), held.checkedInAt(), held.borrowedUntil(), held.end())));
                    }
                }
                case Expire ignored -> {}
                case Advance ignored -> throw new IllegalStateException();
            }
            SeatRules.Outcome outcome = decide(pool, settings, step, now);

            assertThat(outcome.refusal()).as("%s at %s", step, now).isEqualTo(expectedRefusal);
            if (expectedRefusal == null) {
                assertThat(outcome.changes()).as("%s at %s", step, now).isEqualTo(expected);
                pool = outcome.pool();
                model = live;
                for (SeatChange change : outcome.changes()) {
                    if (change.kind() == SeatChange.Kind.EXPIRED) {
                        // held through every decision before its end, freed by the first at or after it
                        assertThat(change.at()).isEqualTo(change.seat().heldUntil());
                        assertThat(previous).isBefore(change.at());
                        assertThat(now).isAfterOrEqualTo(change.at());
                    }
                }
                previous = now;
            } else {
                assertThat(outcome.pool()).isSameAs(pool);
            }
            assertThat(pool.heldAt(now)).isLessThanOrEqualTo(settings.users());
            Instant at = now;
            assertThat(model.values().stream().filter(seat -> at.isBefore(seat.end())))
                    .hasSizeLessThanOrEqualTo(settings.users());
        }
    }

    private static SeatRules.Outcome decide(SeatPool pool, FloatingSettings settings, Step step, Instant now) {
        return switch (step) {
            case CheckIn checkIn -> SeatRules.checkIn(pool, null, settings, checkIn.device(), now);
            case Borrow borrow ->
                SeatRules.borrow(
                        pool,
                        null,
                        settings,
                        borrow.device(),
                        now,
                        borrow.hours() == null ? null : now.plus(Duration.ofHours(borrow.hours())));
            case Release release ->
                SeatRules.release(pool, null, release.device(), now, RejectionType.FLOATING_NOT_AVAILABLE);
            case Expire ignored -> SeatRules.expire(pool, null, now);
            case Advance ignored -> throw new IllegalStateException();
        };
    }

    /** The model with the seats ended by {@code now} removed, their expiries added to {@code changes} in end order. */
    private static Map<String, ModelSeat> expire(Map<String, ModelSeat> model, Instant now, List<SeatChange> changes) {
        Map<String, ModelSeat> live = new TreeMap<>(model);
        model.entrySet().stream()
                .filter(entry -> !now.isBefore(entry.getValue().end()))
                .sorted(Comparator.comparing((Map.Entry<String, ModelSeat> entry) ->
                                entry.getValue().end())
                        .thenComparing(Map.Entry::getKey))
                .forEach(entry -> {
                    ModelSeat seat = entry.getValue();
                    changes.add(new SeatChange(
                            SeatChange.Kind.EXPIRED,
                            null,
                            seat.end(),
                            new Seat(entry.getKey(), seat.checkedInAt(), seat.borrowedUntil(), seat.end())));
                    live.remove(entry.getKey());
                });
        return live;
    }

    private static ModelSeat seat(Instant now, Instant borrowedUntil, FloatingSettings settings) {
        Instant byTimeout = now.plus(Duration.ofMinutes(settings.timeoutMinutes()));
        Instant borrow = borrowedUntil != null && borrowedUntil.isAfter(now) ? borrowedUntil : null;
        return new ModelSeat(now, borrow, borrow != null && borrow.isAfter(byTimeout) ? borrow : byTimeout);
    }

    private static SeatChange change(SeatChange.Kind kind, Instant now, String device, Map<String, ModelSeat> live) {
        ModelSeat seat = live.get(device);
        return new SeatChange(kind, null, now, new Seat(device, seat.checkedInAt(), seat.borrowedUntil(), seat.end()));
    }

    @Provide
    Arbitrary<FloatingSettings> settings() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 5),
                        Arbitraries.integers().between(1, 30),
                        Arbitraries.of(true, false),
                        Arbitraries.integers().between(0, 3))
                .as(FloatingSettings::new);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<String> devices = Arbitraries.of("a", "b", "c", "d", "e", "f", "g");
        Arbitrary<Step> step = Arbitraries.oneOf(
                devices.map(CheckIn::new),
                devices.map(CheckIn::new),
                Combinators.combine(
                                devices, Arbitraries.integers().between(-1, 5).injectNull(0.3))
                        .as(Borrow::new),
                devices.map(Release::new),
                Arbitraries.just(new Expire()),
                Arbitraries.integers().between(0, 40).map(Advance::new),
                Arbitraries.integers().between(0, 300).map(Advance::new));
        return step.list().ofMaxSize(60);
    }
}
