package io.tally.gateway.status;

import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The status page and what feeds it, on unless {@code tally.status-page.enabled=false} (then {@code /status} answers
 * 404 and calls are not counted).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "tally.status-page.enabled", matchIfMissing = true)
class StatusConfiguration {

    @Bean(initMethod = "start")
    LiveStatus liveStatus(Clock clock) {
        return new LiveStatus(clock);
    }

    @Bean
    StatusRecording statusRecording(LiveStatus liveStatus) {
        return new StatusRecording(liveStatus);
    }
}
