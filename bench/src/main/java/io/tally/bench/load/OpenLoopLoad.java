package io.tally.bench.load;

import io.tally.client.LicenseApiClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Recorder;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpMethod;

/**
 * An open-loop load generator for the License API ({@code POST /api/v4/add_consumption}, or any signed call): request
 * i is due at {@code start + i / rate}
 * and is sent then whether or not earlier ones have been answered, and its latency is measured from that due time, so
 * a slow server cannot slow the load down and hide its own latency (no coordinated omission). Requests are signed as
 * LicenseSpring's SDKs sign them.
 *
 * <p>"Many clients": up to {@code connections} connections at once; a request that finds them all busy waits in the
 * client's queue, and that wait is part of its latency. Not thread-safe: one step at a time.
 */
public final class OpenLoopLoad implements AutoCloseable {

    /** What to call, and as whom. */
    public record Target(String system, URI baseUrl, String apiKey, String sharedKey) {}

    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"([a-z_]+)\"");
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(2);

    private final HttpClient http;

    public OpenLoopLoad(int connections) throws Exception {
        http = new HttpClient();
        http.setMaxConnectionsPerDestination(connections);
        http.setMaxRequestsQueuedPerDestination(1_000_000);
        http.setIdleTimeout(30_000);
        http.setFollowRedirects(false);
        http.start();
    }

    /** One request: its method, its path with any query, and its JSON body ({@code null} for none). */
    public record Call(HttpMethod method, String pathAndQuery, byte[] body) {}

    /**
     * Sends {@code rate × duration} {@code add_consumption} requests, each for the license body
     * {@code bodies[licenses.getAsInt()]}, and waits up to {@code drain} after the last for the answers; unanswered
     * ones count as {@code timeout}. Throughput counts the 200s.
     */
    public StepResult run(
            Target target,
            String profile,
            double rate,
            Duration duration,
            byte[][] bodies,
            IntSupplier licenses,
            Duration drain)
            throws InterruptedException {
        return run(
                target,
                profile,
                rate,
                duration,
                () -> new Call(HttpMethod.POST, "/api/v4/add_consumption", bodies[licenses.getAsInt()]),
                "200"::equals,
                drain);
    }

    /**
     * Sends {@code rate × duration} requests as {@code calls} makes them and waits up to {@code drain} after the last
     * for the answers; unanswered ones count as {@code timeout}. Throughput counts the outcomes {@code served} accepts
     * ({@code 200}, or {@code 400 <code>}: a refusal can be the right answer).
     */
    public StepResult run(
            Target target,
            String profile,
            double rate,
            Duration duration,
            java.util.function.Supplier<Call> calls,
            java.util.function.Predicate<String> served,
            Duration drain)
            throws InterruptedException {
        long total = Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
        Recorder latencies = new Recorder(HIGHEST_MICROS, 3);
        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        AtomicLong lastAnswer = new AtomicLong();
        LongAdder answered = new LongAdder();
        String[] signedFor = {"", ""}; // date header, authorization: signing once a second is what clients do too

        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 50_000) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            String date = RFC_1123.format(java.time.Instant.now().atOffset(ZoneOffset.UTC));
            if (!date.equals(signedFor[0])) {
                signedFor[0] = date;
                signedFor[1] = LicenseApiClient.authorization(target.apiKey(), target.sharedKey(), date);
            }
            Call call = calls.get();
            Request request = http.newRequest(target.baseUrl().resolve(call.pathAndQuery()))
                    .method(call.method())
                    .timeout(60, TimeUnit.SECONDS)
                    .headers(headers -> headers.put("Date", signedFor[0])
                            .put("Authorization", signedFor[1])
                            .put("Accept", "application/json"));
            if (call.body() != null) {
                request.body(new BytesRequestContent("application/json", call.body()));
            }
            request.send(new BufferingResponseListener(64 * 1024) {
                @Override
                public void onComplete(Result result) {
                    long now = System.nanoTime();
                    latencies.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (now - due) / 1_000)));
                    String outcome;
                    if (result.isFailed()) {
                        outcome = "io " + result.getFailure().getClass().getSimpleName();
                    } else {
                        int status = result.getResponse().getStatus();
                        outcome =
                                status == 200 ? "200" : status + " " + code(getContentAsString(StandardCharsets.UTF_8));
                    }
                    outcomes.computeIfAbsent(outcome, key -> new LongAdder()).increment();
                    lastAnswer.accumulateAndGet(now, Math::max);
                    answered.increment();
                }
            });
        }
        long deadline = System.nanoTime() + drain.toNanos();
        while (answered.sum() < total && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long unanswered = total - answered.sum();
        Map<String, Long> counted = new TreeMap<>();
        outcomes.forEach((outcome, count) -> counted.put(outcome, count.sum()));
        if (unanswered > 0) {
            counted.put("timeout", unanswered);
        }
        var histogram = latencies.getIntervalHistogram();
        double seconds = Math.max(1e-9, (Math.max(lastAnswer.get(), start) - start) / 1e9);
        return new StepResult(
                target.system(),
                profile,
                rate,
                total,
                counted.entrySet().stream()
                                .filter(entry -> served.test(entry.getKey()))
                                .mapToLong(Map.Entry::getValue)
                                .sum()
                        / seconds,
                histogram.getValueAtPercentile(50) / 1000.0,
                histogram.getValueAtPercentile(99) / 1000.0,
                histogram.getValueAtPercentile(99.9) / 1000.0,
                histogram.getMaxValue() / 1000.0,
                counted);
    }

    private static String code(String body) {
        Matcher matcher = CODE.matcher(body == null ? "" : body);
        return matcher.find() ? matcher.group(1) : "?";
    }

    /** A license index, uniformly from a thread-local generator, following {@code zipf}. */
    public static IntSupplier zipf(Zipf zipf) {
        return () -> zipf.next(ThreadLocalRandom.current());
    }

    @Override
    public void close() throws Exception {
        http.stop();
    }
}
