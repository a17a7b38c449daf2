package io.tally.worker.license;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.protocol.CommandResult;
import io.tally.protocol.FloatingSpec;
import io.tally.protocol.LicenseChange;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.worker.floating.FloatingSettings;
import io.tally.worker.floating.SeatJournal;
import io.tally.worker.floating.SeatPool;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FloatingRulesTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void shouldTakeASeatThenFreeEverySeatWhenTheLicenseStopsFloating() {
        // given: a floating license of two seats, both taken
        LicenseState license = floating(new FloatingSettings(2, 30, false, 0));
        license = applied(LicenseRules.decide(license, check("a", NOW)));
        license = applied(LicenseRules.decide(license, check("b", NOW.plusSeconds(1))));
        assertThat(license.seats().size()).isEqualTo(2);
        LicenseState saved = license.withSeatsSaved();

        // when
        LicenseState after =
                applied(LicenseRules.decide(saved, change(new FloatingSpec(false, null, null, null, null))));

        // then
        assertThat(after.floating()).isNull();
        assertThat(after.seats().size()).isZero();
        assertThat(after.unsavedSeats().rows())
                .containsOnly(
                        Map.entry(new SeatJournal.Key("", "a"), Optional.empty()),
                        Map.entry(new SeatJournal.Key("", "b"), Optional.empty()));
    }

    @Test
    void shouldKeepHoldersButAdmitNoOneWhenTheSeatsShrink() {
        LicenseState license = floating(new FloatingSettings(2, 30, false, 0));
        license = applied(LicenseRules.decide(license, check("a", NOW)));
        license = applied(LicenseRules.decide(license, check("b", NOW)));

        license = applied(LicenseRules.decide(license, change(new FloatingSpec(null, 1, null, null, null))));

        assertThat(license.floating()).isEqualTo(new FloatingSettings(1, 30, false, 0));
        assertThat(license.seats().size()).isEqualTo(2);
        assertThat(LicenseRules.decide(license, check("a", NOW.plusSeconds(5)))).isInstanceOf(Decision.Applied.class);
        assertThat(LicenseRules.decide(license, check("c", NOW.plusSeconds(5)))).isInstanceOf(Decision.Rejected.class);
    }

    private static LicenseState floating(FloatingSettings settings) {
        LicenseState plain = LicenseFixtures.license(10, 0);
        return new LicenseState(
                plain.id(),
                plain.tenantId(),
                plain.product(),
                plain.licenseKey(),
                plain.username(),
                plain.passwordHash(),
                "perpetual",
                true,
                10,
                null,
                plain.meter(),
                Map.of(
                        "a", new DeviceState(1, "a", true, false, NOW, Map.of()),
                        "b", new DeviceState(2, "b", true, false, NOW, Map.of()),
                        "c", new DeviceState(3, "c", true, false, NOW, Map.of())),
                Map.of(),
                settings,
                SeatPool.empty(),
                SeatJournal.empty());
    }

    private static LicenseState applied(Decision decision) {
        assertThat(decision).isInstanceOf(Decision.Applied.class);
        var applied = (Decision.Applied) decision;
        assertThat(applied.result().apply(applied.after())).isNotInstanceOf(CommandResult.CommandRejected.class);
        return applied.after();
    }

    private static LicenseCommand.CheckLicense check(String device, Instant at) {
        return new LicenseCommand.CheckLicense(
                UUID.randomUUID(), at, "t", null, new LicenseRef("app", "KEY", null), device);
    }

    private static LicenseCommand.ChangeLicense change(FloatingSpec spec) {
        return new LicenseCommand.ChangeLicense(
                UUID.randomUUID(),
                NOW.plusSeconds(2),
                "t",
                null,
                new LicenseRef("app", "KEY", null, 7L),
                "",
                new LicenseChange.UpdateFloating(spec));
    }
}
