package io.tally.worker.license;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHashingTest {

    @Test
    void shouldGiveTheSameVerdictWhenAskedAgainFromMemory() {
        // given
        String stored = PasswordHashing.hash("digest-of-alice");

        // when: the first checks hash, the repeated ones are remembered
        boolean right = PasswordHashing.matches(stored, "digest-of-alice");
        boolean wrong = PasswordHashing.matches(stored, "digest-of-mallory");

        // then
        assertThat(right).isTrue();
        assertThat(wrong).isFalse();
        for (int i = 0; i < 100; i++) {
            assertThat(PasswordHashing.matches(stored, "digest-of-mallory")).isFalse();
            assertThat(PasswordHashing.matches(stored, "digest-of-alice")).isTrue();
        }
    }

    @Test
    void shouldNotConfuseTwoUsersWithTheSameDigest() {
        // given: the same digest against two users' hashes (different salts)
        String alice = PasswordHashing.hash("shared");
        String bob = PasswordHashing.hash("other");

        // then
        assertThat(PasswordHashing.matches(alice, "shared")).isTrue();
        assertThat(PasswordHashing.matches(bob, "shared")).isFalse();
        assertThat(PasswordHashing.matches(null, "shared")).isFalse();
    }
}
