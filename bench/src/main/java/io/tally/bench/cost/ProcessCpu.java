package io.tally.bench.cost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time used by processes, from Linux's {@code /proc/<pid>/stat} (user and system time of all their threads, in
 * clock ticks of 10 ms). Reading it does not disturb the process measured.
 */
final class ProcessCpu {

    /** Linux's USER_HZ on every common architecture. */
    private static final double TICKS_PER_SECOND = 100;

    private ProcessCpu() {}

    /** Seconds of CPU {@code pid} has used, 0 when it is gone. */
    static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long user = Long.parseLong(fields[11]);
            long system = Long.parseLong(fields[12]);
            return (user + system) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** Seconds of CPU used by every process whose command name is {@code name} (PostgreSQL's server processes). */
    static double secondsOfAllNamed(String name) {
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            return processes
                    .filter(path -> path.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(path -> {
                        try {
                            return Files.readString(path.resolve("comm"))
                                    .strip()
                                    .equals(name);
                        } catch (IOException gone) {
                            return false;
                        }
                    })
                    .mapToDouble(
                            path -> seconds(Long.parseLong(path.getFileName().toString())))
                    .sum();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc", e);
        }
    }
}
