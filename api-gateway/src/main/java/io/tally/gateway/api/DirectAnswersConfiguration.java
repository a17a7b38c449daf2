package io.tally.gateway.api;

import io.tally.gateway.GatewayProperties;
import java.time.Duration;
import java.util.ArrayList;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Makes the one {@link DirectAnswers} and puts it ahead of Spring MVC's own handling of futures, which would otherwise take every
 * {@code CompletableFuture} first (handlers added through {@code WebMvcConfigurer} come after the built-in ones).
 */
@Configuration(proxyBeanMethods = false)
class DirectAnswersConfiguration {

    /** Beyond the reply timeout, which answers a late call first; this only bounds a future that never completes. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    @Bean
    DirectAnswers directAnswers(ApiJson json, GatewayProperties properties) {
        return new DirectAnswers(json, properties.replyTimeout().plus(MARGIN));
    }

    @Bean
    SmartInitializingSingleton directAnswersFirst(RequestMappingHandlerAdapter adapter, DirectAnswers answers) {
        return () -> {
            var handlers = new ArrayList<HandlerMethodReturnValueHandler>();
            handlers.add(answers);
            handlers.addAll(adapter.getReturnValueHandlers());
            adapter.setReturnValueHandlers(handlers);
        };
    }
}
