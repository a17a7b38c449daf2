package io.tally.gateway.status;

import io.tally.gateway.api.ApiJson;
import io.tally.gateway.consumption.CommandDispatcher;
import java.time.Clock;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * Serves the status page where the management endpoints are: in the application's own context (the API port) when
 * {@code management.server.port} is not set, in the management context (its own port, which docker compose and the
 * Kubernetes manifests do not publish) when it is. Like {@code /actuator}, the page needs no key and shows license
 * keys, so it belongs on the port operators reach and clients do not.
 *
 * <p>Listed in {@code META-INF/spring/...ManagementContextConfiguration.imports} but not annotated
 * {@code @ManagementContextConfiguration}: that annotation is meta-annotated {@code @Configuration}, so the gateway's
 * component scan would register it in the application's context as well, and serve the page on the API port too.
 * Spring Boot's import selector treats a listed class without the annotation as {@code ManagementContextType.ANY}.
 * Only where the status page's {@link LiveStatus} exists: the imports file is seen by every application on the class
 * path, the worker's too when both share a JVM.
 */
@ConditionalOnBooleanProperty(name = "tally.status-page.enabled", matchIfMissing = true)
@ConditionalOnBean(LiveStatus.class)
public class StatusManagementConfiguration {

    /** What the status servlet serves ({@code GET}): the page, and the figures it fetches every second. */
    public static final List<String> PATHS = List.of("/status", "/status/live");

    @Bean
    ServletRegistrationBean<StatusServlet> statusServlet(
            LiveStatus status, CommandDispatcher dispatcher, ApiJson json, Clock clock) {
        var registration = new ServletRegistrationBean<>(
                new StatusServlet(status, dispatcher, json, clock), PATHS.toArray(String[]::new));
        registration.setName("tallyStatus");
        return registration;
    }
}
