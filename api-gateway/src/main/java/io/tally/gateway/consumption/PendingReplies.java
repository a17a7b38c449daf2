package io.tally.gateway.consumption;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tally.protocol.EnvelopeSignature;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.requestreply.KafkaReplyTimeoutException;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * The calls of this gateway waiting for the worker's reply, by command id, and the listener of its reply partitions
 * that completes them.
 *
 * <p>A reply is matched by its {@code kafka_correlationId} header, the 16 bytes of the command id that the worker
 * copies from the command. A call without a reply within the reply timeout fails with
 * {@link KafkaReplyTimeoutException} (answered 503 {@code request_pending}); deadlines are checked by one sweep over the
 * waiting calls every {@link #SWEEP}, so a call leaves no trace once answered. (Spring Kafka's
 * {@code ReplyingKafkaTemplate} scheduled a timeout task per call that it never cancelled: every call's record stayed
 * reachable for the whole timeout, surviving young collections, and its task woke a scheduler thread ten seconds
 * later.) A reply nobody waits for (late, or to another instance) is ignored, and so is one not signed by a worker
 * ({@link EnvelopeSignature.Kind#REPLY}): whoever can write the replies topic cannot have this gateway answer, and
 * RSA-sign, a license view of their own. Such a reply is logged and counted ({@code tally.gateway.replies.forged}).
 *
 * <p>Thread-safe: request threads add, the reply consumer completes, the sweeper expires; each call completes once.
 */
public final class PendingReplies implements BatchMessageListener<String, byte[]>, AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(PendingReplies.class);

    /** How often deadlines are checked: a late call is answered at most this much after its timeout. */
    static final Duration SWEEP = Duration.ofMillis(100);

    private final ConcurrentHashMap<UUID, Waiting> waiting = new ConcurrentHashMap<>();
    private final long timeoutNanos;
    private final LongSupplier nanoClock;
    private final ScheduledExecutorService sweeper;
    private final EnvelopeSignature signature;
    private final Runnable forged;

    private record Waiting(CompletableFuture<byte[]> reply, long deadline) {}

    /**
     * With a sweeper thread of its own, checking deadlines every {@link #SWEEP}; replies verified with
     * {@code signature}, the forged ones counted in {@code meters}.
     */
    public PendingReplies(Duration timeout, EnvelopeSignature signature, MeterRegistry meters) {
        this(
                timeout,
                System::nanoTime,
                true,
                signature,
                Counter.builder("tally.gateway.replies.forged")
                        .description("Records on tally.replies.v1 ignored: not signed by a worker")
                        .register(meters)::increment);
    }

    /**
     * @param sweep whether to check deadlines on a thread of its own (else only through {@link #expire})
     * @param forged called once for each reply ignored as forged
     */
    PendingReplies(
            Duration timeout, LongSupplier nanoClock, boolean sweep, EnvelopeSignature signature, Runnable forged) {
        this.signature = signature;
        this.forged = forged;
        this.timeoutNanos = timeout.toNanos();
        this.nanoClock = nanoClock;
        if (sweep) {
            this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                    .name("tally-reply-timeouts")
                    .daemon(true)
                    .factory());
            sweeper.scheduleWithFixedDelay(this::expire, SWEEP.toNanos(), SWEEP.toNanos(), TimeUnit.NANOSECONDS);
        } else {
            this.sweeper = null;
        }
    }

    /** The header value that names {@code commandId}'s reply. */
    static byte[] correlation(UUID commandId) {
        return ByteBuffer.allocate(16)
                .putLong(commandId.getMostSignificantBits())
                .putLong(commandId.getLeastSignificantBits())
                .array();
    }

    /** Waits for the reply to {@code commandId}: its value bytes, or a failure once the timeout has passed. */
    CompletableFuture<byte[]> expect(UUID commandId) {
        var reply = new CompletableFuture<byte[]>();
        if (waiting.putIfAbsent(commandId, new Waiting(reply, nanoClock.getAsLong() + timeoutNanos)) != null) {
            throw new IllegalStateException("a call already waits for command " + commandId);
        }
        return reply;
    }

    /** The command could not be sent: its call fails with {@code failure} now, not at the timeout. */
    void failed(UUID commandId, Throwable failure) {
        Waiting call = waiting.remove(commandId);
        if (call != null) {
            call.reply().completeExceptionally(failure);
        }
    }

    /** How many calls wait now. */
    int size() {
        return waiting.size();
    }

    @Override
    public void onMessage(List<ConsumerRecord<String, byte[]>> replies) {
        for (ConsumerRecord<String, byte[]> reply : replies) {
            Header correlation = reply.headers().lastHeader(KafkaHeaders.CORRELATION_ID);
            if (correlation == null || correlation.value() == null || correlation.value().length != 16) {
                continue;
            }
            String problem = signature.problemWith(EnvelopeSignature.Kind.REPLY, reply);
            if (problem != null) {
                forged.run();
                LOGGER.warn("Ignoring reply {}-{}@{}: {}", reply.topic(), reply.partition(), reply.offset(), problem);
                continue;
            }
            ByteBuffer id = ByteBuffer.wrap(correlation.value());
            Waiting call = waiting.remove(new UUID(id.getLong(), id.getLong()));
            if (call != null) {
                call.reply().complete(reply.value());
            }
        }
    }

    /** Fails every call whose deadline has passed. */
    void expire() {
        long now = nanoClock.getAsLong();
        waiting.forEach((commandId, call) -> {
            if (now - call.deadline() >= 0 && waiting.remove(commandId, call)) {
                call.reply()
                        .completeExceptionally(
                                new KafkaReplyTimeoutException("No reply within the reply timeout to " + commandId));
            }
        });
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }
}
