package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.worker.WorkerApplication;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A worker (or a gateway, {@link #startGateway}) in a JVM of its own, started with this JVM's class path, so that a
 * test can kill it like a crash does (SIGKILL: no shutdown hook, no leave-group, no commit). Its error lines are echoed
 * with its pid.
 */
final class WorkerProcess {

    private final Process process;

    private WorkerProcess(Process process) {
        this.process = process;
    }

    /** Starts a worker with {@code arguments} and waits until Spring says it started (at most 90 s). */
    static WorkerProcess start(String... arguments) throws Exception {
        return start(WorkerApplication.class, arguments);
    }

    /** Starts a gateway with {@code arguments} and waits until Spring says it started (at most 90 s). */
    static WorkerProcess startGateway(String... arguments) throws Exception {
        return start(io.tally.gateway.GatewayApplication.class, arguments);
    }

    private static WorkerProcess start(Class<?> application, String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(application.getName());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var started = new CountDownLatch(1);
        Thread.ofPlatform().daemon().start(() -> {
            try (var lines =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.contains("Started " + application.getSimpleName())) {
                        started.countDown();
                    }
                    if (line.contains("ERROR") || line.contains("Exception")) {
                        System.out.println("[worker " + process.pid() + "] " + line);
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        assertThat(started.await(90, TimeUnit.SECONDS))
                .as(application.getSimpleName() + " process started")
                .isTrue();
        return new WorkerProcess(process);
    }

    /** SIGKILL, as a crash or an out-of-memory kill does. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: Spring stops the listener, which commits and leaves the group. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }
}
