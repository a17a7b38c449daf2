package io.tally.gateway.consumption;

import io.tally.gateway.GatewayProperties;
import io.tally.protocol.Command;
import io.tally.protocol.CommandReply;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.stereotype.Component;

/**
 * Sends commands to the worker and hands back its reply, without holding any thread while waiting.
 *
 * <p>Each command is signed ({@link EnvelopeSignature.Kind#COMMAND}: HMAC over its value, key and the headers that
 * route its reply, key id in a header) and produced keyed by license, so all commands of one license are ordered on
 * one partition. At most {@code maxInFlight} commands wait at once (for a
 * reply, or for the broker's acknowledgement of an asynchronous one), and fewer when calls complete too slowly for
 * that many to be answered within half the reply timeout ({@link Admission}); beyond that {@link #dispatch} and
 * {@link #produce} refuse at once instead of queueing, so memory stays bounded under any burst and an accepted call
 * is answered in time. Of those, at most {@code maxUnacknowledged} may be produced and not yet acknowledged by the
 * broker: a broker slowed down (a burst of connections starving it of CPU) then holds a few hundred records, which it
 * acknowledges within the producer's delivery timeout, rather than thousands, which expire together and turn into 503
 * {@code service_unavailable}; the calls beyond get 429 at once, as for the limit above.
 *
 * <p>Thread-safe.
 */
@Component
public class CommandDispatcher {

    private final KafkaTemplate<String, byte[]> kafka;
    private final PendingReplies pendingReplies;
    private final ProtocolCodec codec;
    private final EnvelopeSignature signature;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger unacknowledged = new AtomicInteger();
    private final int maxUnacknowledged;
    private final Admission admission;
    private final CompletionRate completions;
    private final ReplyPartitions replyPartitions;

    /**
     * Where answers are rendered and signed. A reply completes its future on the thread that reads the replies topic;
     * rendering there (RSA included) would make every answer wait for the ones before it and hold up the next read.
     */
    private final Executor answering = Executors.newVirtualThreadPerTaskExecutor();

    private final io.micrometer.core.instrument.Counter refused;
    private final io.micrometer.core.instrument.Counter replyTimeouts;
    private final io.micrometer.core.instrument.Timer replyDurations;

    public CommandDispatcher(
            KafkaTemplate<String, byte[]> kafka,
            PendingReplies pendingReplies,
            ProtocolCodec codec,
            EnvelopeSignature signature,
            GatewayProperties properties,
            ReplyPartitions replyPartitions,
            io.micrometer.core.instrument.MeterRegistry meters) {
        this.kafka = kafka;
        this.pendingReplies = pendingReplies;
        this.replyPartitions = replyPartitions;
        this.maxUnacknowledged = properties.maxUnacknowledged();
        this.codec = codec;
        this.signature = signature;
        this.admission = new Admission(
                properties.maxInFlight(),
                MIN_IN_FLIGHT,
                properties.replyTimeout().toMillis() / 2_000.0);
        this.completions = new CompletionRate(admission.initialRate(), System::nanoTime);
        io.micrometer.core.instrument.Gauge.builder("tally.gateway.calls.waiting", waiting, AtomicInteger::get)
                .description("Calls waiting for the worker's reply or the broker's acknowledgement")
                .register(meters);
        io.micrometer.core.instrument.Gauge.builder(
                        "tally.gateway.calls.unacknowledged", unacknowledged, AtomicInteger::get)
                .description("Commands produced and not yet acknowledged by the broker")
                .register(meters);
        io.micrometer.core.instrument.Gauge.builder(
                        "tally.gateway.admission.limit", this, CommandDispatcher::admissionLimit)
                .description("Calls that may wait at once now (ADR 14)")
                .register(meters);
        this.refused = io.micrometer.core.instrument.Counter.builder("tally.gateway.calls.refused")
                .description("Calls answered 429 because too many were waiting")
                .register(meters);
        this.replyTimeouts = io.micrometer.core.instrument.Counter.builder("tally.gateway.reply.timeouts")
                .description("Calls answered 503 request_pending: no reply within the reply timeout")
                .register(meters);
        this.replyDurations = io.micrometer.core.instrument.Timer.builder("tally.gateway.reply.duration")
                .description("From producing a command to its reply: Kafka, the worker and back")
                .publishPercentileHistogram()
                .register(meters);
    }

    /** Calls waiting now for the worker's reply or the broker's acknowledgement. */
    public int waiting() {
        return waiting.get();
    }

    /** Calls that may wait at once now (ADR 14). */
    public int admissionLimit() {
        return admission.limitAt(completions.perSecond());
    }

    /** However slowly calls complete, this many may wait (a worker catching up must still get work). */
    private static final int MIN_IN_FLIGHT = 64;

    /**
     * Takes a waiting place and a place among the records the broker has not acknowledged yet, if both limits allow;
     * the second is given back by {@link #acknowledged} once the broker answered the send.
     */
    private boolean admit() {
        if (!take(waiting, admissionLimit())) {
            return refuse();
        }
        if (!take(unacknowledged, maxUnacknowledged)) {
            waiting.decrementAndGet();
            return refuse();
        }
        return true;
    }

    private boolean refuse() {
        completions.refused();
        refused.increment();
        return false;
    }

    private static boolean take(AtomicInteger places, int limit) {
        while (true) {
            int now = places.get();
            if (now >= limit) {
                return false;
            }
            if (places.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** The broker answered a send (acknowledged or failed): its place is free for the next. */
    private void acknowledged() {
        unacknowledged.decrementAndGet();
    }

    /** Gives a waiting place back; {@code completed} when the call got its answer (not a timeout or a failure). */
    private void release(boolean completed) {
        waiting.decrementAndGet();
        if (completed) {
            completions.completed();
        }
    }

    /**
     * Produces {@code command} and completes with the worker's reply. Completes exceptionally with
     * {@link Overloaded} when too many commands are waiting (nothing was produced), with a
     * {@code KafkaReplyTimeoutException} when the reply is late ({@link PendingReplies}) (the command may still be applied), or with the
     * producer's error when the broker could not take it.
     */
    public CompletableFuture<CommandReply> dispatch(Command command) {
        if (!admit()) {
            return CompletableFuture.failedFuture(new Overloaded());
        }
        boolean handedOver = false;
        try {
            int replyPartition = replyPartitions.next();
            if (replyPartition < 0) {
                acknowledged();
                release(false);
                return CompletableFuture.failedFuture(new NoReplyPartition());
            }
            var record = unsignedRecord(command);
            record.headers()
                    .add(
                            KafkaHeaders.REPLY_PARTITION,
                            ByteBuffer.allocate(4).putInt(replyPartition).array());
            record.headers().add(KafkaHeaders.CORRELATION_ID, PendingReplies.correlation(command.commandId()));
            signature.signRecord(EnvelopeSignature.Kind.COMMAND, record);
            long started = System.nanoTime();
            CompletableFuture<byte[]> pending = pendingReplies.expect(command.commandId());
            CompletableFuture<?> send;
            try {
                send = kafka.send(record);
            } catch (RuntimeException e) {
                pendingReplies.failed(command.commandId(), e);
                throw e;
            }
            handedOver = true;
            // A record the broker never took fails now, not at the reply timeout.
            send.whenComplete((sent, failure) -> {
                acknowledged();
                if (failure != null) {
                    pendingReplies.failed(command.commandId(), failure);
                }
            });
            CompletableFuture<CommandReply> reply = pending.thenApplyAsync(codec::decodeReply, answering);
            return reply.whenComplete((ignored, failure) -> {
                release(failure == null);
                if (failure == null) {
                    replyDurations.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
                } else if (isReplyTimeout(failure)) {
                    replyTimeouts.increment();
                }
            });
        } catch (RuntimeException e) {
            if (!handedOver) {
                acknowledged();
            }
            release(false);
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Produces {@code command} without waiting for the worker ({@code Prefer: respond-async}): completes when the
     * broker has acknowledged it, or exceptionally when it could not take it. It holds one of the in-flight places
     * until then, so requests waiting for the broker are bounded too; {@link Overloaded} when none is free.
     */
    public CompletableFuture<Void> produce(Command command) {
        if (!admit()) {
            return CompletableFuture.failedFuture(new Overloaded());
        }
        try {
            return kafka.send(signature.signRecord(EnvelopeSignature.Kind.COMMAND, unsignedRecord(command)))
                    .<Void>thenApply(ignored -> null)
                    .whenComplete((ignored, failure) -> {
                        acknowledged();
                        release(failure == null);
                    });
        } catch (RuntimeException e) {
            acknowledged();
            release(false);
            return CompletableFuture.failedFuture(e);
        }
    }

    private static boolean isReplyTimeout(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof org.springframework.kafka.requestreply.KafkaReplyTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The command's record with its request id; its routing headers and the signature over all of them come after. */
    private ProducerRecord<String, byte[]> unsignedRecord(Command command) {
        var record = new ProducerRecord<String, byte[]>(
                Topics.COMMANDS, command.partitionKey(), codec.encodeCommand(command));
        record.headers()
                .add(
                        EnvelopeSignature.COMMAND_ID_HEADER,
                        command.commandId().toString().getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** This instance owns no reply partition yet (starting, or more instances than reply partitions). */
    public static final class NoReplyPartition extends RuntimeException {
        NoReplyPartition() {
            super("this gateway reads no reply partition", null, false, false);
        }
    }

    /** Too many commands are waiting for replies; the caller should retry shortly. */
    public static final class Overloaded extends RuntimeException {
        Overloaded() {
            super("too many requests in flight", null, false, false);
        }
    }
}
