package io.tally.ops.tenants;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TenantIdsTest {

    @Test
    void shouldKeepTheNamesLettersAndDigitsWhenMakingAnId() {
        assertThat(TenantIds.fromName("Acme Software, Inc.")).matches("acme-software-inc-[0-9a-f]{8}");
        assertThat(TenantIds.fromName("Zoë's Apps")).matches("zoe-s-apps-[0-9a-f]{8}");
        assertThat(TenantIds.fromName("株式会社")).matches("tenant-[0-9a-f]{8}");
    }

    @Test
    void shouldGiveTwoTenantsOfTheSameNameDifferentIds() {
        assertThat(TenantIds.fromName("Acme")).isNotEqualTo(TenantIds.fromName("Acme"));
    }

    @Property
    void shouldAlwaysMakeAValidIdWhateverTheName(@ForAll String name) {
        assertThat(TenantIds.fromName(name)).matches(TenantIds.VALID);
    }
}
