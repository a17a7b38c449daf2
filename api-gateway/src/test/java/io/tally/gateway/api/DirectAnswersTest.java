package io.tally.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.core.MethodParameter;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockAsyncContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.method.support.ModelAndViewContainer;

class DirectAnswersTest {

    private final DirectAnswers answers =
            new DirectAnswers(new ApiJson(new SimpleMeterRegistry()), Duration.ofSeconds(15));
    private final MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v4/add_consumption");
    private final MockHttpServletResponse response = new MockHttpServletResponse();

    @SuppressWarnings("unused")
    CompletableFuture<ResponseEntity<byte[]>> answering() {
        return null;
    }

    @SuppressWarnings("unused")
    CompletableFuture<String> somethingElse() {
        return null;
    }

    @Test
    void shouldTakeOnlyFuturesOfByteAnswersWhenAskedWhichReturnTypes() throws Exception {
        assertThat(answers.supportsReturnType(returnType("answering"))).isTrue();
        assertThat(answers.supportsReturnType(returnType("somethingElse"))).isFalse();
    }

    @Test
    void shouldWriteAtOnceWithoutAsyncProcessingWhenTheFutureIsAlreadyDone() throws Exception {
        // when
        handle(CompletableFuture.completedFuture(answer(201, "{\"ok\":true}")));

        // then
        assertThat(request.isAsyncStarted()).isFalse();
        assertWritten(201, "{\"ok\":true}");
    }

    @Test
    void shouldWriteOnCompletionAndCompleteTheRequestWhenTheFutureCompletesLater() throws Exception {
        // given
        var pending = new CompletableFuture<ResponseEntity<byte[]>>();
        var container = handle(pending);
        assertThat(container.isRequestHandled()).isTrue();
        assertThat(request.isAsyncStarted()).isTrue();
        assertThat(response.isCommitted()).isFalse();

        // when
        pending.complete(answer(200, "{\"total\":5}"));

        // then
        assertWritten(200, "{\"total\":5}");
        assertThat(request.isAsyncStarted()).isFalse();
    }

    @Test
    void shouldAnswerTheApiErrorWhenTheFutureFailsWithOne() throws Exception {
        // given
        var pending = new CompletableFuture<ResponseEntity<byte[]>>();
        handle(pending);

        // when
        pending.completeExceptionally(
                new ApiException(ApiError.badRequest("license_not_found", "License not found"), 1));

        // then
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(response.getContentAsString()).contains("\"code\":\"license_not_found\"");
    }

    @Test
    void shouldAnswerRequestPendingOnceWhenTheRequestTimesOutBeforeTheFuture() throws Exception {
        // given
        var pending = new CompletableFuture<ResponseEntity<byte[]>>();
        handle(pending);

        // when: the container's timeout, then the future all the same
        ((MockAsyncContext) request.getAsyncContext()).getListeners().forEach(listener -> {
            try {
                listener.onTimeout(new jakarta.servlet.AsyncEvent(request.getAsyncContext()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        pending.complete(answer(200, "{\"late\":true}"));

        // then
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getContentAsString()).contains("request_pending").doesNotContain("late");
    }

    private ModelAndViewContainer handle(CompletableFuture<ResponseEntity<byte[]>> future) throws Exception {
        request.setAsyncSupported(true);
        var container = new ModelAndViewContainer();
        answers.handleReturnValue(future, returnType("answering"), container, new ServletWebRequest(request, response));
        return container;
    }

    private void assertWritten(int status, String body) throws Exception {
        assertThat(response.getStatus()).isEqualTo(status);
        assertThat(response.getHeader("LicenseSignature")).isEqualTo("signed");
        assertThat(response.getContentType()).isEqualTo("application/json");
        assertThat(response.getContentAsString(StandardCharsets.UTF_8)).isEqualTo(body);
    }

    private static ResponseEntity<byte[]> answer(int status, String body) {
        return ResponseEntity.status(status)
                .header("Content-Type", "application/json")
                .header("LicenseSignature", "signed")
                .body(body.getBytes(StandardCharsets.UTF_8));
    }

    private static MethodParameter returnType(String method) throws NoSuchMethodException {
        Method handler = DirectAnswersTest.class.getDeclaredMethod(method);
        return new MethodParameter(handler, -1);
    }
}
