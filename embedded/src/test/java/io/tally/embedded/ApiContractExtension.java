package io.tally.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when a gateway it started gave an answer that openapi.yaml does not describe
 * ({@link ApiContractCheck}). Registered for every test class of this module (JUnit's extension auto-detection).
 */
public class ApiContractExtension implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        ApiContract.takeViolations(); // what an earlier class left is that class's
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertThat(ApiContract.takeViolations())
                .as("answers that openapi.yaml does not describe")
                .isEmpty();
    }
}
