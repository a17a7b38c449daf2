package io.tally.bench.cost;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A part of the system measured in a JVM of its own, so that {@code /proc} tells its CPU apart from the others'. Every
 * child runs with the same collector and heap ({@link #JVM_OPTIONS}), from this JVM's class path, its output in
 * {@code <name>.log} under the run's directory.
 */
final class ChildJvm implements AutoCloseable {

    /**
     * The parallel collector of the benchmark's own JVM (ADR 12): no concurrent collector threads working while the
     * process is idle, and a heap small enough for five JVMs on this machine.
     */
    static final List<String> JVM_OPTIONS = List.of("-XX:+UseParallelGC", "-Xmx1g");

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code main} with {@code arguments}; returns once the process exists, not once it is ready. */
    static ChildJvm start(String name, Class<?> main, List<String> arguments, Path directory) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JVM_OPTIONS);
        String classPath = System.getProperty("java.class.path");
        command.add("-cp");
        command.add(classPath);
        if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)) {
            // Inside ./tally-bench's executable jar: Spring Boot's launcher finds the nested jars for another main.
            command.add("-Dloader.main=" + main.getName());
            command.add("org.springframework.boot.loader.launch.PropertiesLauncher");
        } else {
            command.add(main.getName());
        }
        command.addAll(arguments);
        Path log = directory.resolve(name + ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new ChildJvm(name, process, log);
    }

    String name() {
        return name;
    }

    /** Seconds of CPU this process has used so far. */
    double cpuSeconds() {
        return ProcessCpu.seconds(process.pid());
    }

    /** Seconds of CPU its JIT compiler threads have used so far. */
    double compilerSeconds() {
        return ProcessCpu.secondsOfThreads(process.pid(), "C1 CompilerThre")
                + ProcessCpu.secondsOfThreads(process.pid(), "C2 CompilerThre");
    }

    /** Waits until {@code file} holds a line (what the child writes once ready) and returns it. */
    String awaitLine(Path file, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " ended while starting; see " + log);
            }
            if (Files.exists(file)) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                if (text.endsWith("\n")) {
                    return text.strip();
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + "; see " + log);
    }

    /** Ends the process (SIGTERM, then SIGKILL after 30 s). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
