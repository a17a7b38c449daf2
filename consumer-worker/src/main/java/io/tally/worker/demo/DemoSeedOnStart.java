package io.tally.worker.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.event.EventListener;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.stereotype.Component;

/**
 * With {@code tally.demo.file} set to a path (docker compose passes {@code TALLY_DEMO_FILE} through, empty unless the
 * operator asks for the demo), registers the demo tenant at start-up and writes its keys to that file, for
 * {@code tally-client seed-demo} to set up its data. The keys are never logged.
 */
@Component
@Conditional(DemoSeedOnStart.DemoFileGiven.class)
class DemoSeedOnStart {

    /** {@code tally.demo.file} is set and not blank. */
    static final class DemoFileGiven implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String file = context.getEnvironment().getProperty("tally.demo.file");
            return file != null && !file.isBlank();
        }
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(DemoSeedOnStart.class);

    private final DemoSetup setup;
    private final Path file;
    private final String gatewayUrl;

    DemoSeedOnStart(
            DemoSetup setup,
            @Value("${tally.demo.file}") Path file,
            @Value("${tally.demo.gateway-url:http://localhost:8080}") String gatewayUrl) {
        this.setup = setup;
        this.file = file;
        this.gatewayUrl = gatewayUrl;
    }

    @EventListener(ApplicationReadyEvent.class)
    void seed() {
        try {
            DemoFile.write(file, gatewayUrl, setup.registerDemoTenant());
            LOGGER.info("Demo tenant registered; its keys are in {}", file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
