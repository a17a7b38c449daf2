package io.tally.worker;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The consumer worker: the only writer of license state. Its configuration file is {@code worker.yml}, so that it can
 * share a JVM with the gateway in the embedded default.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WorkerApplication {

    public static void main(String[] args) {
        builder().run(args);
    }

    /** The application as it should be started, also when embedded beside other applications in one JVM. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(WorkerApplication.class).properties("spring.config.name=worker");
    }
}
