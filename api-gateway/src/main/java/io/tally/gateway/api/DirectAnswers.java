package io.tally.gateway.api;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Answers a handler's {@code CompletableFuture<ResponseEntity<byte[]>>} on the thread that completes it, without a
 * second pass through the servlet container and Spring MVC.
 *
 * <p>Spring MVC's own handling of a future starts asynchronous processing and, once the future completes, dispatches
 * the request again through every filter, the {@code DispatcherServlet}, handler lookup and return value handling,
 * only to write bytes that are already final: about as much CPU per call as the handler itself (profile of the gateway
 * at 500 calls/s). Here the answer's status, headers and bytes are written straight to the response and the
 * asynchronous request is completed; filters see its completion through their {@code AsyncListener}s as before. A
 * future already complete when the handler returns is written at once, without starting asynchronous processing.
 *
 * <p>A future that fails is answered like an exception thrown by the handler would be for the failures the License API
 * names ({@link ApiException}), and 500 {@code internal_error} otherwise; the future of an asynchronous request that
 * outlives {@code timeout} is answered 503 {@code request_pending}, as a late reply is.
 *
 * <p>Thread-safe: each answer is written once, by whichever of the completion and the timeout comes first.
 */
public final class DirectAnswers implements HandlerMethodReturnValueHandler {

    private static final Logger LOGGER = LoggerFactory.getLogger(DirectAnswers.class);

    private static final ResolvableType ANSWER = ResolvableType.forClassWithGenerics(
            CompletableFuture.class, ResolvableType.forClassWithGenerics(ResponseEntity.class, byte[].class));

    private final ApiJson json;
    private final Duration timeout;

    /**
     * @param timeout how long an asynchronous request may wait for its future, beyond which it is answered 503 (longer
     *     than the reply timeout, which answers first in the normal course)
     */
    public DirectAnswers(ApiJson json, Duration timeout) {
        this.json = json;
        this.timeout = timeout;
    }

    @Override
    public boolean supportsReturnType(MethodParameter returnType) {
        // Asked on every call of every handler (this one comes first): the cheap class test spares the others the
        // generic type resolution.
        return CompletableFuture.class.isAssignableFrom(returnType.getParameterType())
                && ANSWER.isAssignableFrom(ResolvableType.forMethodParameter(returnType));
    }

    @Override
    @SuppressWarnings("unchecked")
    public void handleReturnValue(
            Object returnValue,
            MethodParameter returnType,
            ModelAndViewContainer mavContainer,
            NativeWebRequest webRequest)
            throws IOException {
        mavContainer.setRequestHandled(true);
        var answer = (CompletableFuture<ResponseEntity<byte[]>>) returnValue;
        HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
        HttpServletResponse response = webRequest.getNativeResponse(HttpServletResponse.class);
        if (answer == null || request == null || response == null) {
            throw new IllegalStateException("a direct answer needs a servlet request and a future");
        }
        answer(request, response, answer, status -> {});
    }

    /**
     * Writes {@code answer} to {@code response} once it completes: at once if it already has, otherwise from the
     * thread that completes it, within an asynchronous request bounded by the timeout. Call on the request thread.
     *
     * @param written told the status written, once, after the answer's bytes are flushed (never if the client went away
     *     first)
     */
    public void answer(
            HttpServletRequest request,
            HttpServletResponse response,
            CompletableFuture<ResponseEntity<byte[]>> answer,
            IntConsumer written)
            throws IOException {
        if (answer.isDone()) {
            ResponseEntity<byte[]> entity = outcome(answer);
            write(response, entity);
            written.accept(entity.getStatusCode().value());
            return;
        }
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(timeout.toMillis());
        var once = new AtomicBoolean();
        async.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) throws IOException {
                if (once.compareAndSet(false, true)) {
                    write(
                            response,
                            json.error(new ApiError(
                                    503,
                                    "request_pending",
                                    "The request was accepted and will be applied exactly once; its outcome is not known"
                                            + " yet")));
                    written.accept(503);
                    async.complete();
                }
            }

            @Override
            public void onComplete(AsyncEvent event) {}

            @Override
            public void onError(AsyncEvent event) {
                // The client went away: there is no one to answer.
                once.set(true);
            }

            @Override
            public void onStartAsync(AsyncEvent event) {}
        });
        answer.whenComplete((entity, failure) -> {
            if (!once.compareAndSet(false, true)) {
                return;
            }
            ResponseEntity<byte[]> answered = failure == null ? entity : failed(failure);
            try {
                write(response, answered);
            } catch (IOException | RuntimeException e) {
                // The client is gone or the container refused the write; nothing else can be answered.
                LOGGER.debug("Could not write an answer: {}", e.toString());
            } finally {
                written.accept(answered.getStatusCode().value());
                async.complete();
            }
        });
    }

    private ResponseEntity<byte[]> outcome(CompletableFuture<ResponseEntity<byte[]>> done) {
        try {
            return done.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return failed(e);
        }
    }

    private ResponseEntity<byte[]> failed(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof ApiException api) {
            return json.error(api.error(), api.retryAfterSeconds());
        }
        LOGGER.error("Unexpected failure", cause);
        return json.error(new ApiError(500, "internal_error", "Internal error"));
    }

    private static void write(HttpServletResponse response, ResponseEntity<byte[]> entity) throws IOException {
        response.setStatus(entity.getStatusCode().value());
        for (Map.Entry<String, List<String>> header : entity.getHeaders().headerSet()) {
            for (String value : header.getValue()) {
                response.addHeader(header.getKey(), value);
            }
        }
        byte[] body = entity.getBody();
        if (body != null) {
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
        response.flushBuffer();
    }
}
