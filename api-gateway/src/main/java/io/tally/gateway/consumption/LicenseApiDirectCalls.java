package io.tally.gateway.consumption;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationPredicate;
import io.tally.gateway.api.ApiExceptionHandler;
import io.tally.gateway.api.DirectAnswers;
import io.tally.gateway.api.DirectCalls;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Serves the License API calls with a body through {@link DirectCalls} (ADR 22): after every filter that gives a call
 * its id, bounds its body, records it on the status page and binds it to its thread, and instead of Spring MVC.
 */
@Configuration(proxyBeanMethods = false)
class LicenseApiDirectCalls {

    /** After Spring's own filters (request context at -105), which the endpoints rely on. */
    private static final int ORDER = 0;

    @Bean
    DirectCalls licenseApiCalls(
            LicenseApiController controller,
            FloatingController floating,
            DirectAnswers answers,
            ApiExceptionHandler failures,
            MeterRegistry meters) {
        var endpoints = new java.util.HashMap<>(controller.directCalls());
        endpoints.putAll(floating.directCalls());
        return new DirectCalls(endpoints, answers, failures, meters);
    }

    @Bean
    FilterRegistrationBean<DirectCalls> licenseApiCallsRegistration(DirectCalls calls) {
        var registration = new FilterRegistrationBean<>(calls);
        registration.setOrder(ORDER);
        registration.setUrlPatterns(calls.paths());
        return registration;
    }

    /** The calls served directly are timed by {@link DirectCalls}; Spring's HTTP observation would only cost. */
    @Bean
    ObservationPredicate noHttpObservationOfDirectCalls(DirectCalls calls) {
        return (name, context) -> !(context instanceof ServerRequestObservationContext server
                && server.getCarrier() != null
                && calls.serves(server.getCarrier()));
    }
}
