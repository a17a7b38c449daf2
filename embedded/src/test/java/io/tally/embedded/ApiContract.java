package io.tally.embedded;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gateway's OpenAPI document as a validator of answers, and the violations found so far in this JVM. Every gateway
 * an integration test starts records each answer it gives here ({@link ApiContractCheck}); {@link
 * ApiContractExtension} fails the test class that produced a violation. Thread-safe.
 *
 * <p>Two well-kept validators, each for what it does fully: Atlassian's swagger-request-validator for the path, the
 * status and the declared headers, and networknt's JSON Schema validator for the body against the response's schema,
 * since the document is OpenAPI 3.1, whose schemas are JSON Schema 2020-12 (the former reads 3.1 types only in part).
 */
final class ApiContract {

    /** One answer that the document does not describe. */
    record Violation(String method, String path, int status, String messages) {}

    private static final String DOCUMENT = document();
    private static final OpenApiInteractionValidator VALIDATOR =
            OpenApiInteractionValidator.createForInlineApiSpecification(DOCUMENT)
                    .build();
    private static final ResponseSchemas BODIES = new ResponseSchemas(DOCUMENT);
    private static final List<Violation> VIOLATIONS = new ArrayList<>();

    private ApiContract() {}

    /** Checks one answer; a violation is kept for {@link #takeViolations()}. */
    static void check(String method, String path, int status, Map<String, List<String>> headers, byte[] body) {
        var response = SimpleResponse.Builder.status(status);
        headers.forEach(response::withHeader);
        if (body.length > 0) {
            response.withBody(new String(body, StandardCharsets.UTF_8));
        }
        ValidationReport report = VALIDATOR.validateResponse(path, Request.Method.valueOf(method), response.build());
        List<String> errors = report.getMessages().stream()
                // A path the document does not have is not part of the API: its 404 is not an answer to describe.
                .filter(message -> message.getLevel() == ValidationReport.Level.ERROR
                        && !message.getKey().endsWith(".path.missing"))
                .map(message -> message.getKey() + ": " + message.getMessage())
                .collect(java.util.stream.Collectors.toCollection(ArrayList::new));
        if (body.length > 0) {
            errors.addAll(BODIES.errors(method, path, status, body));
        }
        if (!errors.isEmpty()) {
            synchronized (VIOLATIONS) {
                VIOLATIONS.add(new Violation(method, path, status, String.join("; ", errors)));
            }
        }
    }

    /** The violations recorded since the last call, and forgets them. */
    static List<Violation> takeViolations() {
        synchronized (VIOLATIONS) {
            List<Violation> taken = List.copyOf(VIOLATIONS);
            VIOLATIONS.clear();
            return taken;
        }
    }

    private static String document() {
        try (InputStream in = ApiContract.class.getResourceAsStream("/static/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
