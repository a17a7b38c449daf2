package io.tally.worker.license;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * License state kept between batches, so that a batch reads from PostgreSQL only each license's version, not its row,
 * devices and features.
 *
 * <p>Never trusted on its own: a batch locks its licenses and compares their versions with the cached ones, and loads
 * afresh every license whose version differs (see {@code V4__license_version.sql}: any change to a license, its devices
 * or its features moves the version, whoever makes it). A stale entry therefore costs one reload and can never decide
 * a command, and a lost update to the cache is harmless. The cache is dropped when partitions leave the worker
 * ({@code PartitionHandover}), so that it does not hold licenses another worker now decides.
 *
 * <p>Thread-safe. Entries are put only after the transaction that read or wrote them committed. Bounded: the least
 * recently used entries go first.
 */
public final class LicenseCache {

    /** A license's state as of its {@code version}. */
    public record Entry(LicenseState state, long version) {}

    private final Cache<LicenseStore.Key, Long> ids;
    private final Cache<Long, Entry> entries;

    /** @param maximumSize licenses kept at most; 0 keeps none */
    public LicenseCache(long maximumSize) {
        this.ids = Caffeine.newBuilder().maximumSize(maximumSize).build();
        this.entries = Caffeine.newBuilder().maximumSize(maximumSize).build();
    }

    /** The id of the license {@code key} named when last found, or {@code null}. Licenses are never renamed. */
    public Long idOf(LicenseStore.Key key) {
        return ids.getIfPresent(key);
    }

    public Entry get(long licenseId) {
        return entries.getIfPresent(licenseId);
    }

    /** Records that {@code key} names license {@code licenseId}. */
    public void name(LicenseStore.Key key, long licenseId) {
        ids.put(key, licenseId);
    }

    /** Forgets every license. */
    public void clear() {
        ids.invalidateAll();
        entries.invalidateAll();
    }

    /** Keeps {@code entry} unless a later version is kept already (two transactions may finish in either order). */
    public void put(Entry entry) {
        entries.asMap()
                .merge(
                        entry.state().id(),
                        entry,
                        (kept, offered) -> offered.version() >= kept.version() ? offered : kept);
    }
}
