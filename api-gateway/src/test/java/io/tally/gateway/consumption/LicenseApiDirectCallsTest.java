package io.tally.gateway.consumption;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.web.bind.annotation.PostMapping;

class LicenseApiDirectCallsTest {

    @Test
    void shouldServeDirectlyEveryPostEndpointThatReadsItsOwnRequestWhenTheGatewayStarts() {
        // given: the endpoints Spring MVC maps that read the servlet request themselves
        Set<String> reading = Arrays.stream(LicenseApiController.class.getDeclaredMethods())
                .filter(method -> method.isAnnotationPresent(PostMapping.class))
                .filter(method -> Arrays.equals(method.getParameterTypes(), new Class<?>[] {HttpServletRequest.class}))
                .flatMap(method -> Arrays.stream(paths(method)))
                .collect(Collectors.toSet());

        // when
        Set<String> direct = new LicenseApiController(null, null, null, null, null, null, null, null, null)
                .directCalls()
                .keySet();

        // then
        assertThat(reading).hasSizeGreaterThanOrEqualTo(5);
        assertThat(direct).isEqualTo(reading);
    }

    private static String[] paths(Method method) {
        return method.getAnnotation(PostMapping.class).value();
    }
}
