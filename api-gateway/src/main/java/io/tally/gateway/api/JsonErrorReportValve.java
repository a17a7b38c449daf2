package io.tally.gateway.api;

import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's error report, as a License API error body: requests Tomcat refuses before any of Tally's code runs (a path
 * with an encoded NUL or invalid UTF-8, an unparseable request line) get {@code {"status", "code", "message"}} like
 * every other error, not Tomcat's HTML page. Installed on the host by {@link GatewayWebServer}.
 */
public final class JsonErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String code = switch (status) {
            case 400 -> "validation_error";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "payload_too_large";
            case 429 -> "too_many_requests";
            case 503 -> "service_unavailable";
            default -> status >= 500 ? "internal_error" : "validation_error";
        };
        String message = status == 400 ? "The request's path or query is not valid" : "HTTP " + status;
        byte[] body = ("{\"status\":" + status + ",\"code\":\"" + code + "\",\"message\":\"" + message + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            response.finishResponse();
        } catch (java.io.IOException | IllegalStateException e) {
            // The client went away, or the response was already taken: nothing more can be said to it.
        }
    }
}
