package io.tally.worker.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.mock.env.MockEnvironment;

class DemoSeedOnStartTest {

    @Test
    void shouldSeedTheDemoTenantOnlyWhenADemoFileIsGiven() {
        assertThat(given(null)).isFalse();
        // docker compose passes TALLY_DEMO_FILE through, empty unless the operator asks for the demo
        assertThat(given("")).isFalse();
        assertThat(given("  ")).isFalse();
        assertThat(given("/data/demo.json")).isTrue();
    }

    private static boolean given(String file) {
        var environment = new MockEnvironment();
        if (file != null) {
            environment.setProperty("tally.demo.file", file);
        }
        ConditionContext context = mock(ConditionContext.class);
        when(context.getEnvironment()).thenReturn(environment);
        return new DemoSeedOnStart.DemoFileGiven().matches(context, mock(AnnotatedTypeMetadata.class));
    }
}
