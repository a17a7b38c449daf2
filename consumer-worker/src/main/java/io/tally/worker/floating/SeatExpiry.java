package io.tally.worker.floating;

import static io.tally.worker.db.Tables.FLOATING_SEAT;
import static io.tally.worker.db.Tables.LICENSE;
import static io.tally.worker.db.Tables.PRODUCT;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tally.protocol.EnvelopeSignature;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.ProtocolCodec;
import io.tally.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Makes ended seats show as free without traffic: every {@code tally.floating.expiry-interval} (20 s), finds the
 * licenses with a seat whose {@code held_until} has passed (through the index on it: held seats are not read) and
 * produces an {@link LicenseCommand.ExpireSeats} for each onto its own partition, stamped with this run's time. The
 * worker that owns the partition decides it in order with the license's other commands, by that time, so a replay
 * frees the same seats at the same instants (ADR 25).
 *
 * <p>Every worker runs it; two workers asking for the same license only make the second command find nothing left to
 * free. At most {@link #BATCH} licenses a run. Thread-safe: one scheduler thread.
 */
@Component
public class SeatExpiry implements SmartLifecycle {

    private static final Logger LOGGER = LoggerFactory.getLogger(SeatExpiry.class);

    /** Licenses asked for per run; more wait for the next. */
    static final int BATCH = 1_000;

    private final DSLContext dsl;
    private final EnvelopeSignature signature;
    private final ProtocolCodec codec;
    private final KafkaTemplate<String, byte[]> kafka;
    private final Clock clock;
    private final Duration interval;
    private final Counter requested;
    private volatile ScheduledExecutorService schedule;

    SeatExpiry(
            DSLContext dsl,
            EnvelopeSignature signature,
            ProtocolCodec codec,
            KafkaTemplate<String, byte[]> kafka,
            Clock clock,
            @Value("${tally.floating.expiry-interval:20s}") Duration interval,
            MeterRegistry meters) {
        this.dsl = dsl;
        this.signature = signature;
        this.codec = codec;
        this.kafka = kafka;
        this.clock = clock;
        this.interval = interval;
        this.requested = Counter.builder("tally.worker.seat.expiries.requested")
                .description("ExpireSeats commands produced for licenses with ended floating seats")
                .register(meters);
    }

    /** Produces an expiry command for each license with a seat ended by now; returns how many. */
    public int run() {
        Instant now = clock.instant();
        List<TenantLicense> licenses = dsl.select(
                        PRODUCT.SHORT_CODE, LICENSE.LICENSE_KEY, LICENSE.USERNAME, LICENSE.TENANT_ID)
                .from(LICENSE)
                .join(PRODUCT)
                .on(PRODUCT.ID.eq(LICENSE.PRODUCT_ID))
                .where(LICENSE.ID.in(dsl.selectDistinct(FLOATING_SEAT.LICENSE_ID)
                        .from(FLOATING_SEAT)
                        .where(FLOATING_SEAT.HELD_UNTIL.le(now.atOffset(ZoneOffset.UTC)))))
                .limit(BATCH)
                .fetch(row ->
                        new TenantLicense(row.value4(), new LicenseRef(row.value1(), row.value2(), row.value3())));
        for (TenantLicense license : licenses) {
            produce(license);
        }
        requested.increment(licenses.size());
        return licenses.size();
    }

    private record TenantLicense(String tenantId, LicenseRef license) {}

    private void produce(TenantLicense target) {
        var command = new LicenseCommand.ExpireSeats(
                UUID.randomUUID(), clock.instant(), target.tenantId(), null, target.license(), "");
        var record = new ProducerRecord<String, byte[]>(
                Topics.COMMANDS, command.partitionKey(), codec.encodeCommand(command));
        record.headers()
                .add(
                        EnvelopeSignature.COMMAND_ID_HEADER,
                        command.commandId().toString().getBytes(StandardCharsets.UTF_8));
        kafka.send(signature.signRecord(EnvelopeSignature.Kind.COMMAND, record));
    }

    @Override
    public synchronized void start() {
        schedule = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("tally-seat-expiry").daemon(true).factory());
        schedule.scheduleWithFixedDelay(
                () -> {
                    try {
                        run();
                    } catch (RuntimeException e) {
                        LOGGER.warn("Seat expiry run failed; trying again in {}: {}", interval, e.toString());
                    }
                },
                interval.toMillis(),
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (schedule != null) {
            schedule.shutdownNow();
            schedule = null;
        }
    }

    @Override
    public boolean isRunning() {
        return schedule != null;
    }
}
