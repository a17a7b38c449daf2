package io.tally.ops;

/**
 * The exit codes of every {@code tally-ops} command, for scripts: 0 done (or, where a command compares, everything
 * matches), 1 differences found, 2 could not run. The texts are the {@code --help} lines, as picocli's
 * {@code exitCodeList} takes them ({@code "code:description"}).
 */
public final class ExitCodes {

    /** Done; for a command that compares, everything matches. */
    public static final int DONE = 0;

    /** A comparison found differences (listed on stdout). */
    public static final int DIFFERENCES = 1;

    /**
     * Could not run: bad arguments, a refusal, PostgreSQL or Kafka unreachable, any other failure. One line on stderr
     * says why.
     */
    public static final int CANNOT_RUN = 2;

    public static final String HEADING = "%nExit codes:%n";
    public static final String DONE_HELP = "0:Done.";
    public static final String DONE_OR_DRY_RUN_HELP =
            "0:Done; without --execute, the plan was printed and nothing changed.";
    public static final String MATCH_HELP = "0:Every total matches.";
    public static final String DONE_OR_MATCH_HELP = "0:Done; for rebuild, every total matches.";
    public static final String DIFFERENCES_HELP = "1:Differences found, listed on stdout.";
    public static final String REBUILD_DIFFERENCES_HELP = "1:rebuild found differences, listed on stdout.";
    public static final String CANNOT_RUN_HELP = "2:Could not run: bad arguments, refused, PostgreSQL or Kafka"
            + " unreachable, or any other failure; one line on stderr says why.";

    private ExitCodes() {}
}
