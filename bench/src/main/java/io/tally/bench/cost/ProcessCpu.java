package io.tally.bench.cost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time used by processes and threads, from Linux's {@code /proc/<pid>/stat} and {@code /proc/<pid>/task/<tid>/stat}
 * (user and system time, in clock ticks of 10 ms). Reading it does not disturb the process measured.
 */
final class ProcessCpu {

    /** Linux's USER_HZ on every common architecture. */
    private static final double TICKS_PER_SECOND = 100;

    /** Fields after the command name: utime, stime, cutime, cstime are the 12th to 15th of them. */
    private static final int USER = 11;

    private static final int CHILDREN_USER = 13;

    private ProcessCpu() {}

    /** Seconds of CPU {@code pid} has used (all its threads), 0 when it is gone. */
    static double seconds(long pid) {
        long[] ticks = ticks(Path.of("/proc", Long.toString(pid), "stat"));
        return (ticks[0] + ticks[1]) / TICKS_PER_SECOND;
    }

    /**
     * Seconds of CPU used by {@code pid}, the children it has waited for (a PostgreSQL backend that ended), and the
     * descendants still running: a server that forks a process per connection, measured whole.
     */
    static double secondsOfTree(long pid) {
        return ProcessHandle.of(pid)
                .map(root -> Stream.concat(Stream.of(root), root.descendants())
                        .mapToDouble(process -> {
                            long[] ticks = ticks(Path.of("/proc", Long.toString(process.pid()), "stat"));
                            return (ticks[0] + ticks[1] + ticks[2] + ticks[3]) / TICKS_PER_SECOND;
                        })
                        .sum())
                .orElse(0.0);
    }

    /** Seconds of CPU used by the threads of {@code pid} whose name starts with {@code prefix} (JIT compilers). */
    static double secondsOfThreads(long pid, String prefix) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            return threads.filter(thread -> name(thread).startsWith(prefix))
                    .mapToDouble(thread -> {
                        long[] ticks = ticks(thread.resolve("stat"));
                        return (ticks[0] + ticks[1]) / TICKS_PER_SECOND;
                    })
                    .sum();
        } catch (IOException gone) {
            return 0;
        }
    }

    private static String name(Path task) {
        try {
            return Files.readString(task.resolve("comm")).strip();
        } catch (IOException gone) {
            return "";
        }
    }

    /** {utime, stime, cutime, cstime} of a stat file, zeros when it is gone. */
    private static long[] ticks(Path stat) {
        try {
            String text = Files.readString(stat);
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
            String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return new long[] {
                Long.parseLong(fields[USER]),
                Long.parseLong(fields[USER + 1]),
                Long.parseLong(fields[CHILDREN_USER]),
                Long.parseLong(fields[CHILDREN_USER + 1])
            };
        } catch (IOException | RuntimeException gone) {
            return new long[4];
        }
    }
}
