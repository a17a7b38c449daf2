package io.tally.ops.replay;

import io.tally.ops.Connections;
import io.tally.ops.ExitCodes;
import io.tally.ops.KafkaOffsets;
import io.tally.ops.Output;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.Topics;
import io.tally.worker.ledger.Ledger;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Rewinds the worker group on the commands topic so the worker applies the commands again. Safe by construction:
 * refused while any worker is in the group, never moves a partition forward, and first records in PostgreSQL how far
 * events are committed (from the group's offsets), so replayed commands are answered from the ledger and emit no
 * second event, also when the last worker was killed rather than stopped.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Rewind the worker group on " + Topics.COMMANDS + " to replay commands from a time, an offset or the"
                    + " beginning. Refused while the group has members: stop every worker first, start them after.",
            "Dry run unless --execute is given."
        },
        exitCodeOnInvalidInput = ExitCodes.CANNOT_RUN,
        exitCodeOnExecutionException = ExitCodes.CANNOT_RUN,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.DONE_OR_DRY_RUN_HELP, ExitCodes.CANNOT_RUN_HELP})
public final class ReplayCommand implements Callable<Integer> {

    static final class Start {
        @Option(
                names = "--from-time",
                description =
                        "Replay commands accepted at or after this instant (ISO-8601, e.g. 2026-11-28T10:00:00Z).")
        Instant fromTime;

        @Option(names = "--from-offset", description = "Replay from this offset of each chosen partition.")
        Long fromOffset;

        @Option(names = "--from-beginning", description = "Replay the whole topic.")
        boolean fromBeginning;
    }

    @Mixin
    Connections connections;

    @ArgGroup(multiplicity = "1")
    Start start;

    @Option(names = "--partition", split = ",", description = "Only these partitions (default: all).")
    List<Integer> partitions = new ArrayList<>();

    @Option(names = "--group", defaultValue = "tally-worker-commands", description = "Default: ${DEFAULT-VALUE}.")
    String group;

    @Option(names = "--execute", description = "Rewind; without it the plan is only printed.")
    boolean execute;

    @Option(names = "--json", description = "Print the plan and what was done as one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Admin admin = connections.admin()) {
            List<MemberDescription> members = activeMembers(admin);
            if (!members.isEmpty()) {
                err.printf(
                        "Refused: group %s has %d active member(s) (%s). Stop every worker, then run this again.%n",
                        group, members.size(), describe(members));
                return ExitCodes.CANNOT_RUN;
            }
            List<TopicPartition> chosen = KafkaOffsets.partitions(admin, Topics.COMMANDS);
            if (!partitions.isEmpty()) {
                List<Integer> known =
                        chosen.stream().map(TopicPartition::partition).toList();
                List<Integer> unknown =
                        partitions.stream().filter(p -> !known.contains(p)).toList();
                if (!unknown.isEmpty()) {
                    err.printf("Refused: %s has no partition %s (it has %s).%n", Topics.COMMANDS, unknown, known);
                    return ExitCodes.CANNOT_RUN;
                }
                chosen = chosen.stream()
                        .filter(p -> partitions.contains(p.partition()))
                        .toList();
            }
            Map<TopicPartition, OffsetAndMetadata> committed = committed(admin);
            Map<TopicPartition, Long> earliest = KafkaOffsets.offsets(admin, chosen, OffsetSpec.earliest());
            Map<TopicPartition, Long> end = KafkaOffsets.offsets(admin, chosen, OffsetSpec.latest());
            Map<TopicPartition, Long> requested = requested(admin, chosen, earliest);

            List<ReplayPlan.PartitionOffsets> offsets = new ArrayList<>();
            Map<Integer, Long> wanted = new HashMap<>();
            for (TopicPartition partition : chosen) {
                OffsetAndMetadata position = committed.get(partition);
                offsets.add(new ReplayPlan.PartitionOffsets(
                        partition.partition(),
                        earliest.get(partition),
                        end.get(partition),
                        position == null ? null : position.offset()));
                wanted.put(partition.partition(), requested.get(partition));
            }
            List<ReplayPlan.Move> moves = ReplayPlan.plan(offsets, wanted);
            long total = moves.stream().mapToLong(ReplayPlan.Move::replayed).sum();
            if (!json) {
                out.printf("Replay plan for group %s on %s:%n", group, Topics.COMMANDS);
                for (ReplayPlan.Move move : moves) {
                    out.printf(
                            "  partition %d: offset %d -> %d (%d commands again)%n",
                            move.partition(), move.from(), move.to(), move.replayed());
                }
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("group", group);
            result.put("topic", Topics.COMMANDS);
            result.put(
                    "partitions",
                    moves.stream()
                            .map(move -> Map.of(
                                    "partition", move.partition(),
                                    "from", move.from(),
                                    "to", move.to(),
                                    "replayed", move.replayed()))
                            .toList());
            result.put("replayed", total);
            if (!execute) {
                result.put("rewound", false);
                if (json) {
                    Output.values(out, true, result);
                } else {
                    out.printf(
                            "Dry run: nothing changed. %d commands would be replayed; add --execute to rewind.%n",
                            total);
                }
                return ExitCodes.DONE;
            }
            recordEmissionMarks(committed);
            Map<TopicPartition, OffsetAndMetadata> rewind = new HashMap<>();
            moves.forEach(move -> rewind.put(
                    new TopicPartition(Topics.COMMANDS, move.partition()), new OffsetAndMetadata(move.to())));
            try {
                admin.alterConsumerGroupOffsets(group, rewind).all().get();
            } catch (ExecutionException e) {
                // A worker joined between the check and the rewind: the broker refuses offsets of an active group.
                err.printf("Refused by Kafka, nothing rewound: %s. Stop every worker and try again.%n", e.getCause());
                return ExitCodes.CANNOT_RUN;
            }
            result.put("rewound", true);
            if (json) {
                Output.values(out, true, result);
            } else {
                out.printf("Rewound: %d commands will be replayed when the workers start.%n", total);
            }
            return ExitCodes.DONE;
        }
    }

    private List<MemberDescription> activeMembers(Admin admin) throws Exception {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get();
            return new ArrayList<>(description.members());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of();
            }
            throw e;
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get()
                .forEach((partition, offset) -> {
                    if (offset != null && partition.topic().equals(Topics.COMMANDS)) {
                        committed.put(partition, offset);
                    }
                });
        return committed;
    }

    private Map<TopicPartition, Long> requested(
            Admin admin, List<TopicPartition> chosen, Map<TopicPartition, Long> earliest) throws Exception {
        if (start.fromBeginning) {
            return earliest;
        }
        if (start.fromOffset != null) {
            Map<TopicPartition, Long> requested = new HashMap<>();
            chosen.forEach(partition -> requested.put(partition, start.fromOffset));
            return requested;
        }
        // The first offset whose record is at or after the time; past the last record, the end (nothing to replay).
        return KafkaOffsets.offsets(admin, chosen, OffsetSpec.forTimestamp(start.fromTime.toEpochMilli()));
    }

    /**
     * Everything below the group's committed offset has its events on the events topic (they commit in one Kafka
     * transaction), so the marks can be raised to it before the rewind makes that fact unreadable.
     */
    private void recordEmissionMarks(Map<TopicPartition, OffsetAndMetadata> committed) {
        Map<Integer, Long> offsets = new HashMap<>();
        committed.forEach((partition, offset) -> offsets.put(partition.partition(), offset.offset()));
        try (var dataSource = connections.dataSource()) {
            DSL.using(dataSource, SQLDialect.POSTGRES)
                    .transaction(configuration ->
                            new Ledger(new ProtocolCodec()).emittedThrough(configuration.dsl(), offsets));
        }
    }

    private static String describe(List<MemberDescription> members) {
        return String.join(
                ", ",
                members.stream()
                        .map(member -> member.clientId() + " at " + member.host())
                        .toList());
    }
}
