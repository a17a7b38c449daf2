package io.tally.ops.acl;

import io.tally.ops.Connections;
import io.tally.ops.ExitCodes;
import io.tally.ops.Output;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Prints, or creates on the cluster, the least-privilege ACLs of Tally's principals ({@link TopicAcls}). Creating an
 * ACL that exists changes nothing, so {@code --apply} may be run again after an upgrade.
 */
@Command(
        name = "kafka-acls",
        mixinStandardHelpOptions = true,
        description = {
            "Print the Kafka ACLs that give each of Tally's principals only what it needs (gateway, worker, this tool,"
                    + " analytics readers), or create them with --apply (as a principal allowed to alter ACLs, set"
                    + " through --kafka-config)."
        },
        exitCodeOnInvalidInput = ExitCodes.CANNOT_RUN,
        exitCodeOnExecutionException = ExitCodes.CANNOT_RUN,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.DONE_HELP, ExitCodes.CANNOT_RUN_HELP})
public final class KafkaAclsCommand implements Callable<Integer> {

    @Mixin
    Connections connections;

    @Option(names = "--gateway", defaultValue = "User:tally-gateway", description = "Default: ${DEFAULT-VALUE}.")
    String gateway;

    @Option(names = "--worker", defaultValue = "User:tally-worker", description = "Default: ${DEFAULT-VALUE}.")
    String worker;

    @Option(names = "--operators", defaultValue = "User:tally-ops", description = "Default: ${DEFAULT-VALUE}.")
    String operators;

    @Option(
            names = "--analytics",
            defaultValue = "User:tally-analytics",
            description = "Principal of analytics readers. Default: ${DEFAULT-VALUE}.")
    String analytics;

    @Option(
            names = "--analytics-group-prefix",
            defaultValue = "tally-analytics",
            description = "Consumer groups analytics readers may use begin with it. Default: ${DEFAULT-VALUE}.")
    String analyticsGroupPrefix;

    @Option(names = "--apply", description = "Create the ACLs on the cluster instead of printing them.")
    boolean apply;

    @Option(names = "--json", description = "Print the ACLs as one JSON value instead of rows.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<AclBinding> bindings =
                new TopicAcls(gateway, worker, operators, analytics, analyticsGroupPrefix).bindings();
        if (apply) {
            try (var admin = connections.admin()) {
                admin.createAcls(bindings).all().get();
            }
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (AclBinding binding : bindings) {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("principal", binding.entry().principal());
            row.put("operation", binding.entry().operation().name());
            row.put("resource_type", binding.pattern().resourceType().name());
            row.put("pattern", binding.pattern().patternType().name());
            row.put("resource", binding.pattern().name());
            rows.add(row);
        }
        Output.rows(
                out,
                json,
                rows,
                row -> String.format(
                        "%-24s %-16s %-16s %-9s %s",
                        row.get("principal"),
                        row.get("operation"),
                        row.get("resource_type"),
                        row.get("pattern"),
                        row.get("resource")));
        if (apply) {
            spec.commandLine().getErr().printf("Created %d ACLs%n", bindings.size());
        }
        return ExitCodes.DONE;
    }
}
