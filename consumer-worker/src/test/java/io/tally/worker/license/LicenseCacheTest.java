package io.tally.worker.license;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LicenseCacheTest {

    private final LicenseCache cache = new LicenseCache(100);

    @Test
    void shouldKeepTheLaterVersionWhenTransactionsPublishOutOfOrder() {
        // given
        var later = new LicenseCache.Entry(LicenseFixtures.license(10, 7), 8);
        var earlier = new LicenseCache.Entry(LicenseFixtures.license(10, 5), 7);

        // when
        cache.put(later);
        cache.put(earlier);

        // then
        assertThat(cache.get(later.state().id())).isEqualTo(later);
    }

    @Test
    void shouldReplaceAnEntryWithALaterVersion() {
        // given
        var first = new LicenseCache.Entry(LicenseFixtures.license(10, 5), 7);
        var second = new LicenseCache.Entry(LicenseFixtures.license(10, 6), 8);

        // when
        cache.put(first);
        cache.put(second);

        // then
        assertThat(cache.get(first.state().id())).isEqualTo(second);
    }

    @Test
    void shouldKnowALicenseByTheNameItWasFoundUnder() {
        // given
        var key = new LicenseStore.Key("tenant", LicenseFixtures.REF);

        // when
        cache.name(key, 42);

        // then
        assertThat(cache.idOf(key)).isEqualTo(42L);
        assertThat(cache.idOf(new LicenseStore.Key("other-tenant", LicenseFixtures.REF)))
                .isNull();
    }

    @Test
    void shouldForgetEveryLicenseWhenCleared() {
        // given
        var key = new LicenseStore.Key("tenant", LicenseFixtures.REF);
        cache.name(key, 10);
        cache.put(new LicenseCache.Entry(LicenseFixtures.license(10, 5), 7));

        // when
        cache.clear();

        // then
        assertThat(cache.idOf(key)).isNull();
        assertThat(cache.get(10)).isNull();
    }
}
