package io.tally.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void shouldMaskUserInfoAndPasswordParametersWhenAUrlHoldsThem() {
        // given
        String url = "jdbc:postgresql://ops:p@ss@db:5432/tally?ssl=true&password=hunter2;sslpassword=x2";

        // when
        String masked = Redaction.maskUrl(url);

        // then
        assertThat(masked).isEqualTo("jdbc:postgresql://***@db:5432/tally?ssl=true&password=***;sslpassword=***");
    }

    @Test
    void shouldLeaveAUrlAsItIsWhenItHoldsNoSecret() {
        // given
        String url = "jdbc:postgresql://127.0.0.1:15432/tally?ssl=false";

        // when
        String masked = Redaction.maskUrl(url);

        // then
        assertThat(masked).isEqualTo(url);
    }

    @Test
    void shouldFindTheSecretsOfAUrlWhenItHoldsUserInfoAndPasswords() {
        // given
        String url = "jdbc:postgresql://ops:url-pw@db/tally?ssl=true&password=query-pw";

        // when
        var secrets = Redaction.secretsIn(url);

        // then
        assertThat(secrets).containsExactlyInAnyOrder("ops:url-pw", "url-pw", "query-pw");
        assertThat(Redaction.scrub("unknown host ops:url-pw@db", secrets)).isEqualTo("unknown host ***@db");
        assertThat(Redaction.scrub("at " + url + ": refused", Set.of()))
                .isEqualTo("at jdbc:postgresql://***@db/tally?ssl=true&password=***: refused");
    }

    @Test
    void shouldFindNoSecretWhenTheUserInfoIsAUserNameAlone() {
        // given
        String url = "jdbc:postgresql://ops@db/tally";

        // when
        var secrets = Redaction.secretsIn(url);

        // then
        assertThat(secrets).isEmpty();
        assertThat(Redaction.maskUrl(url)).isEqualTo("jdbc:postgresql://***@db/tally");
    }

    @Test
    void shouldMaskKnownSecretsOnlyWhereTheyStandAloneWhenScrubbingText() {
        // given
        String text = "password authentication failed for user \"postgres\" with postgres on jdbc:postgresql://h/db;"
                + " sasl.jaas.config=PlainLoginModule required password=\"kafka-pw\";";

        // when
        String scrubbed = Redaction.scrub(text, Set.of("postgres", "kafka-pw", " "));

        // then
        assertThat(scrubbed)
                .isEqualTo("password authentication failed for user \"***\" with *** on jdbc:postgresql://h/db;"
                        + " sasl.jaas.config=*** required password=***;");
    }
}
