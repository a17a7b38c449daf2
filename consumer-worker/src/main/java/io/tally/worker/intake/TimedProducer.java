package io.tally.worker.intake;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * A commit stage's producer that times the two steps of its Kafka transactions the stage's thread waits for: {@code
 * tally.worker.kafka.offsets} (sending the batches' offsets into the transaction) and {@code tally.worker.kafka.commit}
 * (committing it). With {@code tally.worker.batch.postgres} and {@code tally.worker.batch.duration} they give the
 * worker's cycle stage by stage. Everything else is passed through.
 */
final class TimedProducer<K, V> implements Producer<K, V> {

    private final Producer<K, V> delegate;
    private final Timer offsets;
    private final Timer commits;

    TimedProducer(Producer<K, V> delegate, MeterRegistry meters) {
        this.delegate = delegate;
        this.offsets = Timer.builder("tally.worker.kafka.offsets")
                .description("Sending batches' offsets into a Kafka transaction, on the commit stage's thread")
                .publishPercentileHistogram()
                .register(meters);
        this.commits = Timer.builder("tally.worker.kafka.commit")
                .description("Committing a Kafka transaction of batches, on the commit stage's thread")
                .publishPercentileHistogram()
                .register(meters);
    }

    @Override
    public void sendOffsetsToTransaction(
            Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
        this.offsets.record(() -> delegate.sendOffsetsToTransaction(offsets, groupMetadata));
    }

    @Override
    public void commitTransaction() {
        commits.record(delegate::commitTransaction);
    }

    @Override
    public void initTransactions() {
        delegate.initTransactions();
    }

    @Override
    public void beginTransaction() {
        delegate.beginTransaction();
    }

    @Override
    public void abortTransaction() {
        delegate.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
        return delegate.send(record);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        return delegate.send(record, callback);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void close(Duration timeout) {
        delegate.close(timeout);
    }
}
