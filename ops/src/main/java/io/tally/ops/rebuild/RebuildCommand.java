package io.tally.ops.rebuild;

import io.tally.ops.Connections;
import io.tally.ops.ExitCodes;
import io.tally.ops.Output;
import io.tally.ops.Progress;
import io.tally.ops.Redaction;
import io.tally.protocol.ForgedRecordException;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.TenantCredentials;
import io.tally.protocol.TenantRecords;
import io.tally.protocol.Topics;
import io.tally.worker.WorkerDatabase;
import io.tally.worker.batch.CommandBatchApplier;
import io.tally.worker.batch.IncomingCommand;
import io.tally.worker.intake.CommandRecordCheck;
import io.tally.worker.ledger.Ledger;
import io.tally.worker.license.LicenseCache;
import io.tally.worker.license.LicenseStore;
import io.tally.worker.management.ManagementHandler;
import io.tally.worker.tenant.TenantDirectory;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Applies the whole commands topic, from its first record to the end it had when the run started, to an empty
 * database with the worker's own code, then compares every total with the live database. It only reads Kafka: no
 * reply, event or offset is produced, and the live database is only read.
 *
 * <p>Records the worker dead-letters (unsigned, tampered, unknown schema) are skipped the same way. The comparison is
 * exact only when the live worker has applied the topic up to the same end; the report says how far behind the live
 * group is when the comparison ran.
 */
@Command(
        name = "rebuild",
        mixinStandardHelpOptions = true,
        description = {
            "Apply the whole " + Topics.COMMANDS + " topic to an empty database and report whether every total"
                    + " matches the live database. Reads Kafka only; produces nothing."
        },
        exitCodeOnInvalidInput = ExitCodes.CANNOT_RUN,
        exitCodeOnExecutionException = ExitCodes.CANNOT_RUN,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.MATCH_HELP, ExitCodes.DIFFERENCES_HELP, ExitCodes.CANNOT_RUN_HELP})
public final class RebuildCommand implements Callable<Integer> {

    private static final Pattern DATABASE_IN_URL = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]+)(.*)$");

    @Mixin
    Connections connections;

    @Option(
            names = "--target-jdbc-url",
            description = "An empty database to rebuild into (default: a new database tally_rebuild_<time> on the"
                    + " live database's server).")
    String targetJdbcUrl;

    @Option(names = "--tenant", split = ",", description = "Only these tenants' commands and totals (default: all).")
    Set<String> tenants = new HashSet<>();

    @Option(names = "--batch-size", defaultValue = "500", description = "Commands per transaction (default: 500).")
    int batchSize;

    @Option(names = "--drop-target", description = "Drop the database this run created once compared.")
    boolean dropTarget;

    @Option(names = "--group", defaultValue = "tally-worker-commands", description = "The live worker group.")
    String group;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the result as one JSON object instead of lines of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        var signature = connections.envelopeSignature();
        try (var live = connections.dataSource()) {
            // Kafka is reached before anything is created: a run that cannot read the topics leaves nothing behind.
            ProtocolCodec codec = new ProtocolCodec();
            Collection<TenantCredentials> tenantCredentials =
                    tenants(codec, err).values();
            String created = null;
            String target = targetJdbcUrl;
            if (target == null) {
                created = "tally_rebuild_"
                        + LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
                target = withDatabase(connections.jdbcUrl(), created);
                DSL.using(live, SQLDialect.POSTGRES).execute("create database " + created);
            }
            try (var rebuilt = connections.dataSource(target)) {
                if (created == null && !isEmpty(rebuilt)) {
                    err.printf(
                            "Refused: %s is not empty; rebuild needs an empty database.%n", Redaction.maskUrl(target));
                    return ExitCodes.CANNOT_RUN;
                }
                Flyway.configure()
                        .dataSource(rebuilt)
                        .locations("classpath:db/migration")
                        .load()
                        .migrate();
                String into = created != null ? created : Redaction.maskUrl(target);
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("target", into);
                if (!json) {
                    out.printf("Rebuilding into %s%n", into);
                }
                int code = rebuildAndCompare(
                        rebuilt, live, tenantCredentials, new CommandRecordCheck(signature, codec), out, err, result);
                if (created != null && dropTarget) {
                    rebuilt.close();
                    DSL.using(live, SQLDialect.POSTGRES).execute("drop database " + created);
                    if (!json) {
                        out.printf("Dropped %s%n", created);
                    }
                }
                result.put("target_dropped", created != null && dropTarget);
                if (json) {
                    Output.values(out, true, result);
                }
                return code;
            }
        }
    }

    /** As the worker's default: the rebuild applies the topic as the worker would. */
    private static final long REBUILD_CACHED_LICENSES = 100_000;

    private int rebuildAndCompare(
            DataSource target,
            DataSource live,
            Collection<TenantCredentials> tenantCredentials,
            CommandRecordCheck check,
            PrintWriter out,
            PrintWriter err,
            Map<String, Object> result)
            throws Exception {
        ProtocolCodec codec = new ProtocolCodec();
        DSLContext dsl = WorkerDatabase.dsl(target);
        LicenseStore store = new LicenseStore();
        Ledger ledger = new Ledger(codec);
        // Isolating as the worker does: a command the worker refused as one it could not apply is refused here too.
        var applier = new io.tally.worker.batch.IsolatingBatchApplier(
                new CommandBatchApplier(
                        dsl,
                        ledger,
                        store,
                        new LicenseCache(REBUILD_CACHED_LICENSES),
                        new ManagementHandler(store, codec, ledger),
                        Clock.systemUTC()),
                dsl,
                ledger,
                Clock.systemUTC());

        int tenantCount = 0;
        for (TenantCredentials tenant : tenantCredentials) {
            if (tenants.isEmpty() || tenants.contains(tenant.tenantId())) {
                TenantDirectory.store(dsl, tenant.tenantId(), tenant);
                tenantCount++;
            }
        }

        Map<String, Long> skipped = new TreeMap<>();
        long[] applied = {0};
        long othersTenants;
        Map<TopicPartition, Long> end;
        try (var consumer = connections.committedReader(null)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.COMMANDS).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
            long records = end.entrySet().stream()
                    .mapToLong(entry -> entry.getValue() - beginning.getOrDefault(entry.getKey(), 0L))
                    .sum();
            var progress = new Progress(err, "rebuild: commands read", records);
            List<IncomingCommand> batch = new ArrayList<>(batchSize);
            long[] others = {0};
            end = new TimeOrderedReader(consumer).readAll(partitions, end, record -> {
                progress.advance(1);
                var checked = check.check(record);
                if (checked.problem() != null) {
                    skipped.merge(checked.problem().replaceAll(" \\(key id .*\\)$", ""), 1L, Long::sum);
                    return;
                }
                io.tally.protocol.Command command = checked.command();
                if (!tenants.isEmpty() && !tenants.contains(command.tenantId())) {
                    others[0]++;
                    return;
                }
                batch.add(new IncomingCommand(command, record.partition(), record.offset()));
                if (batch.size() >= batchSize) {
                    applied[0] += applier.apply(List.copyOf(batch), Map.of())
                            .decided()
                            .size();
                    batch.clear();
                }
            });
            applied[0] += applier.apply(List.copyOf(batch), Map.of()).decided().size();
            othersTenants = others[0];
            progress.finish();
        }
        long lag = liveLag(end);
        TreeMap<String, Long> rebuiltTotals = Totals.read(dsl, tenants);
        var differences =
                TotalsComparison.differences(Totals.read(DSL.using(live, SQLDialect.POSTGRES), tenants), rebuiltTotals);
        result.put("applied", applied[0]);
        result.put("tenants", tenantCount);
        result.put("offsets", new TreeMap<>(byPartition(end)));
        result.put("skipped", skipped);
        result.put("other_tenants", othersTenants);
        result.put("live_group_lag", lag);
        result.put("figures_compared", rebuiltTotals.size());
        result.put(
                "differences",
                differences.stream()
                        .map(difference -> {
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("name", difference.name());
                            row.put("live", difference.live());
                            row.put("rebuilt", difference.rebuilt());
                            return row;
                        })
                        .toList());
        if (!json) {
            RebuildReport.print(
                    out,
                    group,
                    applied[0],
                    tenantCount,
                    byPartition(end),
                    skipped,
                    othersTenants,
                    lag,
                    rebuiltTotals.size(),
                    differences);
        }
        return differences.isEmpty() ? ExitCodes.DONE : ExitCodes.DIFFERENCES;
    }

    /**
     * The latest credentials of every tenant on the compacted tenants topic, by API key; records not signed with an
     * envelope key are left out, as gateways leave them out.
     */
    private Map<String, TenantCredentials> tenants(ProtocolCodec codec, PrintWriter err) {
        var records = new TenantRecords(connections.envelopeSignature(), codec);
        Map<String, TenantCredentials> byApiKey = new LinkedHashMap<>();
        try (var consumer = connections.committedReader(null)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TENANTS).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            new TimeOrderedReader(consumer).readAll(partitions, end, record -> {
                try {
                    records.read(record)
                            .ifPresentOrElse(
                                    tenant -> byApiKey.put(record.key(), tenant), () -> byApiKey.remove(record.key()));
                } catch (ForgedRecordException e) {
                    err.printf("Ignoring tenants record at offset %d: %s%n", record.offset(), e.getMessage());
                }
            });
        }
        return byApiKey;
    }

    /**
     * Commands the live group still has to apply up to {@code end}, the offsets after the last records the rebuild
     * read (negative when it is past them).
     */
    private long liveLag(Map<TopicPartition, Long> end) throws Exception {
        try (var admin = connections.admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            return end.entrySet().stream()
                    .mapToLong(entry -> {
                        OffsetAndMetadata offset = committed.get(entry.getKey());
                        return entry.getValue() - (offset == null ? 0 : offset.offset());
                    })
                    .sum();
        }
    }

    private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> offsets) {
        Map<Integer, Long> byPartition = new TreeMap<>();
        offsets.forEach((partition, offset) -> byPartition.put(partition.partition(), offset));
        return byPartition;
    }

    private static boolean isEmpty(DataSource database) {
        Long tables = DSL.using(database, SQLDialect.POSTGRES)
                .fetchOne("select count(*) from information_schema.tables where table_schema = 'public'")
                .get(0, Long.class);
        return tables == 0;
    }

    /** {@code url} with its database replaced by {@code database}. */
    static String withDatabase(String url, String database) {
        Matcher matcher = DATABASE_IN_URL.matcher(url);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("cannot tell the database in " + Redaction.maskUrl(url)
                    + "; pass --target-jdbc-url of an empty database");
        }
        return matcher.group(1) + database + matcher.group(3);
    }
}
