package io.tally.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writing a body straight from its serializers gives exactly the bytes of writing its tree: the signature an SDK checks
 * does not depend on which way the gateway took.
 */
class CanonicalGeneratorPropertyTest {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    enum Kind {
        CONSUMPTION,
        FEATURE
    }

    record Inner(String hardwareId, Long maxConsumptions, List<String> names) {}

    record Body(
            String licenseKey,
            long total,
            Integer overage,
            double ratio,
            float share,
            BigDecimal amount,
            boolean active,
            Instant validityPeriod,
            Kind kind,
            Inner device,
            List<Inner> features,
            Map<String, String> metadata) {}

    @Property(tries = 500)
    void shouldWriteTheTreesBytesWhenWritingStraightFromTheSerializers(@ForAll("bodies") Body body) {
        byte[] direct = CanonicalJson.write(MAPPER, body);
        byte[] tree = CanonicalJson.write(MAPPER.<JsonNode>valueToTree(body));

        // Both are valid UTF-8: lone surrogates are escaped, never written raw.
        assertThat(new String(direct, StandardCharsets.UTF_8)).isEqualTo(new String(tree, StandardCharsets.UTF_8));
        assertThat(direct).isEqualTo(tree);
    }

    @Provide
    Arbitrary<Body> bodies() {
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(12).injectNull(0.1);
        Arbitrary<String> keys = Arbitraries.oneOf(
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(4));
        Arbitrary<Inner> inner = Combinators.combine(
                        text, Arbitraries.longs().injectNull(0.2), text.list().ofMaxSize(3))
                .as(Inner::new);
        Arbitrary<Double> doubles = Arbitraries.oneOf(
                Arbitraries.doubles(),
                Arbitraries.longs().between(-1_000_000, 1_000_000).map(Long::doubleValue),
                Arbitraries.of(0.0, -0.0, 1e21, 1e-7, 123456789012345678.0, Double.MIN_VALUE, Double.MAX_VALUE));
        Arbitrary<Map<String, String>> metadata =
                Arbitraries.maps(keys, text).ofMaxSize(3).map(LinkedHashMap::new);
        return Combinators.combine(
                        Combinators.combine(
                                        text,
                                        Arbitraries.longs(),
                                        Arbitraries.integers().injectNull(0.3),
                                        doubles,
                                        Arbitraries.floats(),
                                        Arbitraries.bigDecimals().ofScale(3).injectNull(0.3))
                                .as(Head::new),
                        Arbitraries.of(true, false),
                        Arbitraries.longs()
                                .between(0, 4_000_000_000L)
                                .map(Instant::ofEpochSecond)
                                .injectNull(0.3),
                        Arbitraries.of(Kind.class).injectNull(0.2),
                        inner.injectNull(0.2),
                        inner.list().ofMaxSize(3),
                        metadata.injectNull(0.2))
                .as((head, active, validity, kind, device, features, meta) -> new Body(
                        head.licenseKey(),
                        head.total(),
                        head.overage(),
                        head.ratio(),
                        head.share(),
                        head.amount(),
                        active,
                        validity,
                        kind,
                        device,
                        features,
                        meta));
    }

    private record Head(String licenseKey, long total, Integer overage, double ratio, float share, BigDecimal amount) {}
}
