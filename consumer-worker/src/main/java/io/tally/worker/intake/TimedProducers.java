package io.tally.worker.intake;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.kafka.core.ProducerPostProcessor;

/** Wraps the worker's producers in {@link TimedProducer}s. */
public final class TimedProducers {

    private TimedProducers() {}

    public static <K, V> ProducerPostProcessor<K, V> timed(MeterRegistry meters) {
        return producer -> new TimedProducer<>(producer, meters);
    }
}
