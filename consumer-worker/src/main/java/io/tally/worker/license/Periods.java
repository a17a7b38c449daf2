package io.tally.worker.license;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/** Consumption periods and their UTC boundaries: daily at 00:00, weekly on Monday, monthly on the 1st, annually on 1 January. */
public final class Periods {

    public static final java.util.Set<String> NAMES = java.util.Set.of("daily", "weekly", "monthly", "annually");

    private Periods() {}

    /** The start of the period {@code period} that contains {@code time}. */
    public static Instant startOf(String period, Instant time) {
        LocalDate day = time.atOffset(ZoneOffset.UTC).toLocalDate();
        LocalDate start = switch (period) {
            case "daily" -> day;
            case "weekly" -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case "monthly" -> day.withDayOfMonth(1);
            case "annually" -> day.withDayOfYear(1);
            default -> throw new IllegalArgumentException("unknown consumption period " + period);
        };
        return start.atStartOfDay().toInstant(ZoneOffset.UTC);
    }
}
