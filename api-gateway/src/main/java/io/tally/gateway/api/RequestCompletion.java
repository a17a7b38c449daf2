package io.tally.gateway.api;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Runs something once a call is answered, whether it was answered on its own thread or later by the thread that
 * completed its reply (an asynchronous request). For filters that look at the answer after the rest of the chain.
 */
public final class RequestCompletion {

    private RequestCompletion() {}

    /**
     * After {@code chain.doFilter} has returned: runs {@code answered} now for a call answered on this thread, or when
     * its asynchronous processing completes (never after a timeout or an error without completion).
     */
    public static void whenAnswered(HttpServletRequest request, Runnable answered) {
        if (!request.isAsyncStarted()) {
            answered.run();
            return;
        }
        request.getAsyncContext().addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                answered.run();
            }

            @Override
            public void onTimeout(AsyncEvent event) {}

            @Override
            public void onError(AsyncEvent event) {}

            @Override
            public void onStartAsync(AsyncEvent event) {}
        });
    }
}
