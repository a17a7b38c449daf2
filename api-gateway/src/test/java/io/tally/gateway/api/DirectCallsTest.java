package io.tally.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class DirectCallsTest {

    private static final String PATH = "/api/v4/add_consumption";

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ApiJson json = new ApiJson(meters);
    private final AtomicInteger called = new AtomicInteger();
    private CompletableFuture<ResponseEntity<byte[]>> next = new CompletableFuture<>();
    private RuntimeException thrown;
    private final DirectCalls calls = new DirectCalls(
            Map.of(PATH, request -> {
                called.incrementAndGet();
                if (thrown != null) {
                    throw thrown;
                }
                return next;
            }),
            new DirectAnswers(json, Duration.ofSeconds(15)),
            new ApiExceptionHandler(json, new BodySizeLimit(1024)),
            meters);
    private final MockHttpServletResponse response = new MockHttpServletResponse();
    private final MockFilterChain chain = new MockFilterChain();

    @Test
    void shouldAnswerFromTheEndpointAndTimeTheCallWhenItsPathAndMethodAreServed() throws Exception {
        // given
        next = CompletableFuture.completedFuture(ResponseEntity.ok().body("{\"total\":1}".getBytes()));

        // when
        calls.doFilter(request("POST", PATH), response, chain);

        // then
        assertThat(called).hasValue(1);
        assertThat(chain.getRequest()).as("not passed down the chain").isNull();
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("{\"total\":1}");
        var timer = meters.get("http.server.requests")
                .tags("method", "POST", "uri", PATH, "status", "200", "outcome", "SUCCESS", "exception", "none")
                .tag("error", "none")
                .timer();
        assertThat(timer.count()).isEqualTo(1);
    }

    @Test
    void shouldTimeTheCallWhenTheAnswerIsWrittenLater() throws Exception {
        // given
        var request = request("POST", PATH);
        calls.doFilter(request, response, chain);
        assertThat(request.isAsyncStarted()).isTrue();
        assertThat(meters.find("http.server.requests").timer()).isNull();

        // when
        next.complete(ResponseEntity.status(400).body("{\"code\":\"x\"}".getBytes()));

        // then
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(meters.get("http.server.requests")
                        .tags("status", "400", "outcome", "CLIENT_ERROR")
                        .timer()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void shouldAnswerTheApiErrorWhenTheEndpointThrowsOne() throws Exception {
        // given
        thrown = new ApiException(ApiError.badRequest("validation_error", "consumptions: must be a number"), 1);

        // when
        calls.doFilter(request("POST", PATH), response, chain);

        // then
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(response.getContentAsString(StandardCharsets.UTF_8))
                .contains("\"code\":\"validation_error\"", "consumptions: must be a number");
    }

    @Test
    void shouldAnswer413WhenTheBodyWasFoundTooLargeWhileTheEndpointReadIt() throws Exception {
        // given
        thrown = new java.io.UncheckedIOException(new java.io.IOException(new BodySizeLimit.TooLarge()));

        // when
        calls.doFilter(request("POST", PATH), response, chain);

        // then
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(response.getContentAsString(StandardCharsets.UTF_8)).contains("payload_too_large");
    }

    @Test
    void shouldPassTheRequestDownTheChainWhenTheMethodOrPathIsNotServed() throws Exception {
        // when
        calls.doFilter(request("GET", PATH), response, chain);
        var other = new MockFilterChain();
        calls.doFilter(request("POST", PATH + "/more"), new MockHttpServletResponse(), other);

        // then
        assertThat(called).hasValue(0);
        assertThat(chain.getRequest()).isNotNull();
        assertThat(other.getRequest()).isNotNull();
    }

    private static MockHttpServletRequest request(String method, String path) {
        var request = new MockHttpServletRequest(method, path);
        request.setAsyncSupported(true);
        return request;
    }
}
