package io.tally.infra;

import java.util.Locale;

/**
 * Which of Zonky's PostgreSQL archives runs on a platform, from Java's {@code os.name} and {@code os.arch}: Linux and
 * macOS, each on x86-64 and on 64-bit ARM. The build puts the builder's platform's archive on the class path (besides
 * Linux x86-64's), so a build runs where it was made.
 */
public final class PostgresPlatform {

    private PostgresPlatform() {}

    /** The archive's resource name, e.g. {@code postgres-darwin-arm_64.txz}. */
    public static String archive(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        String system;
        if (os.startsWith("linux")) {
            system = "linux";
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            system = "darwin";
        } else {
            throw unsupported(osName, osArch);
        }
        String processor = switch (arch) {
            case "amd64", "x86_64", "x86-64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> throw unsupported(osName, osArch);
        };
        return "postgres-" + system + "-" + processor + ".txz";
    }

    /** The archive for the platform this JVM runs on. */
    public static String current() {
        return archive(System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    private static IllegalStateException unsupported(String osName, String osArch) {
        return new IllegalStateException(
                "the embedded PostgreSQL runs on Linux and macOS, on x86-64 or 64-bit ARM; this is " + osName + " on "
                        + osArch + ": run Tally with docker compose, or point it at a PostgreSQL server");
    }
}
