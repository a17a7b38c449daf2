package io.tally.client;

import picocli.CommandLine;

/**
 * Tally's version as every command-line tool prints it for {@code --version}: the project's version, defined once in
 * the parent POM and written by the build into each jar's manifest ({@code Implementation-Version}). Classes run
 * from a build directory rather than a jar have no manifest: they say so.
 */
public final class TallyVersion implements CommandLine.IVersionProvider {

    /** What a tool prints when its classes do not come from a built jar. */
    public static final String UNPACKAGED = "unpackaged build";

    /** The version in the manifest of the jar {@code anchor} was loaded from. */
    public static String of(Class<?> anchor) {
        String version = anchor.getPackage().getImplementationVersion();
        return version != null ? version : UNPACKAGED;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"${COMMAND-FULL-NAME} " + of(TallyVersion.class)};
    }
}
