package io.tally.gateway;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The API gateway: stateless, no database. Its configuration file is {@code gateway.yml}, so that it can share a JVM
 * with the worker in the embedded default.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static void main(String[] args) {
        builder().run(args);
    }

    /** The application as it should be started, also when embedded beside other applications in one JVM. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(GatewayApplication.class).properties("spring.config.name=gateway");
    }
}
