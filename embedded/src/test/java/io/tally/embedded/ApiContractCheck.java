package io.tally.embedded;

import io.tally.gateway.api.RequestCompletion;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Added to every application the integration tests start ({@code spring.main.sources}, set by the build), active only
 * in a gateway: each answer to an {@code /api/...} call is copied as it is written, unchanged, and checked against
 * openapi.yaml once complete, whether it was written on the request's thread or later by the thread that completed
 * its reply ({@link ApiContract}). What the clients get is not altered.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBean(type = "io.tally.gateway.api.ApiJson")
public class ApiContractCheck {

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> apiContractRecording() {
        var registration = new FilterRegistrationBean<OncePerRequestFilter>(new Recording());
        registration.addUrlPatterns("/api/*");
        // Outside the direct calls (order 0) and inside the request ids, whose header it checks.
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        registration.setAsyncSupported(true);
        return registration;
    }

    private static final class Recording extends OncePerRequestFilter {

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            var copy = new CopyingResponse(response);
            chain.doFilter(request, copy);
            RequestCompletion.whenAnswered(request, () -> check(request, response, copy));
        }

        @Override
        protected boolean shouldNotFilterAsyncDispatch() {
            return true;
        }

        private static void check(HttpServletRequest request, HttpServletResponse response, CopyingResponse copy) {
            copy.flushWriter();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String name : response.getHeaderNames()) {
                headers.put(name, new ArrayList<>(response.getHeaders(name)));
            }
            if (response.getContentType() != null) {
                headers.put("Content-Type", List.of(response.getContentType()));
            }
            ApiContract.check(
                    request.getMethod(), request.getRequestURI(), response.getStatus(), headers, copy.bytes());
        }
    }

    /** Writes go to the response as they come, and into a copy. */
    private static final class CopyingResponse extends HttpServletResponseWrapper {

        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
        private ServletOutputStream stream;
        private PrintWriter writer;

        CopyingResponse(HttpServletResponse response) {
            super(response);
        }

        byte[] bytes() {
            synchronized (copy) {
                return copy.toByteArray();
            }
        }

        void flushWriter() {
            if (writer != null) {
                writer.flush();
            }
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (stream == null) {
                ServletOutputStream real = super.getOutputStream();
                stream = new ServletOutputStream() {
                    @Override
                    public boolean isReady() {
                        return real.isReady();
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {
                        real.setWriteListener(listener);
                    }

                    @Override
                    public void write(int b) throws IOException {
                        real.write(b);
                        synchronized (copy) {
                            copy.write(b);
                        }
                    }

                    @Override
                    public void write(byte[] bytes, int offset, int length) throws IOException {
                        real.write(bytes, offset, length);
                        synchronized (copy) {
                            copy.write(bytes, offset, length);
                        }
                    }

                    @Override
                    public void flush() throws IOException {
                        real.flush();
                    }
                };
            }
            return stream;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (writer == null) {
                writer = new PrintWriter(
                        new java.io.OutputStreamWriter(getOutputStream(), StandardCharsets.UTF_8), false);
            }
            return writer;
        }
    }
}
