package io.tally.worker.batch;

import io.tally.protocol.Command;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.worker.license.LicenseCache;
import io.tally.worker.license.LicenseState;
import io.tally.worker.license.LicenseStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The licenses one batch's transaction works on: found once each (from the worker's cache, checked by version, or from
 * PostgreSQL), as found, as written and as decided so far. Lives as long as its transaction; not thread-safe.
 */
final class BatchLicenses {

    private final DSLContext tx;
    private final LicenseStore store;
    private final LicenseCache cache;

    /** Each license command's (tenant, license) as resolved: a license id, or the {@code RejectionType} of a miss. */
    final Map<List<Object>, Object> lookups = new HashMap<>();
    /** Each license as found (cache or database) at the start of this transaction, or after a management command. */
    final Map<Long, LicenseState> original = new HashMap<>();
    /** Each license's row version: as found, then as written. */
    final Map<Long, Long> versions = new HashMap<>();
    /** Each license as in the database (written or not yet changed). */
    final Map<Long, LicenseState> loaded = new HashMap<>();
    /** Each license as decided so far. */
    final Map<Long, LicenseState> current = new LinkedHashMap<>();
    /** What the cache learns once this transaction committed. */
    final Map<LicenseStore.Key, Long> named = new HashMap<>();

    BatchLicenses(DSLContext tx, LicenseStore store, LicenseCache cache) {
        this.tx = tx;
        this.store = store;
        this.cache = cache;
    }

    /** The license {@code command} names, resolved once per batch: its id, or the {@code RejectionType} of a miss. */
    Object lookup(LicenseCommand command) {
        return lookups.computeIfAbsent(
                List.of(command.tenantId(), command.license()), ignored -> find(command.tenantId(), command.license()));
    }

    /** Forgets everything found, so that licenses are found afresh (after a management command changed them). */
    void clear() {
        lookups.clear();
        original.clear();
        versions.clear();
        loaded.clear();
        current.clear();
    }

    /** The ids the cache knows for the licenses the batch's license commands name. */
    Map<LicenseStore.Key, Long> knownIds(List<Command> commands) {
        Map<LicenseStore.Key, Long> knownIds = new HashMap<>();
        for (Command command : commands) {
            if (command instanceof LicenseCommand licenseCommand) {
                var key = new LicenseStore.Key(command.tenantId(), licenseCommand.license());
                Long id = cache.idOf(key);
                if (id != null) {
                    knownIds.put(key, id);
                }
            }
        }
        return knownIds;
    }

    /** Every license the batch's commands name, as cached; {@link NotDecidableOnCache} when one is not. */
    void fromCache(List<Command> commands, Map<LicenseStore.Key, Long> knownIds) {
        for (Command command : commands) {
            if (!(command instanceof LicenseCommand licenseCommand)) {
                throw new NotDecidableOnCache();
            }
            var key = new LicenseStore.Key(command.tenantId(), licenseCommand.license());
            Long id = knownIds.get(key);
            LicenseCache.Entry entry = id == null ? null : cache.get(id);
            if (entry == null) {
                throw new NotDecidableOnCache();
            }
            lookups.put(
                    List.of(key.tenantId(), key.ref()),
                    resolve(key, new LicenseStore.Lookup.Found(entry.state(), entry.version())));
        }
    }

    /**
     * Finds every license the batch's undecided license commands name: those the cache knows, locked with their
     * versions read by the batch's reads, from the cache, reloading the few whose version moved; the others by
     * name (locking them).
     */
    void prefetch(
            List<Command> commands,
            Map<LicenseStore.Key, Long> knownIds,
            Map<Long, Long> lockedVersions,
            java.util.Set<UUID> decided) {
        List<LicenseStore.Key> keys = commands.stream()
                .filter(command -> !decided.contains(command.commandId()))
                .filter(command -> command instanceof LicenseCommand)
                .map(command -> new LicenseStore.Key(command.tenantId(), ((LicenseCommand) command).license()))
                .distinct()
                .toList();
        Map<Long, LicenseStore.Lookup.Found> usable = new HashMap<>();
        List<Long> moved = new ArrayList<>();
        lockedVersions.forEach((id, version) -> {
            LicenseCache.Entry entry = cache.get(id);
            if (entry != null && entry.version() == version) {
                usable.put(id, new LicenseStore.Lookup.Found(entry.state(), entry.version()));
            } else {
                moved.add(id);
            }
        });
        usable.putAll(store.load(tx, moved));
        List<LicenseStore.Key> unknown = new ArrayList<>();
        for (LicenseStore.Key key : keys) {
            LicenseStore.Lookup.Found found = knownIds.containsKey(key) ? usable.get(knownIds.get(key)) : null;
            if (found == null) {
                unknown.add(key); // never found, or gone from the database since
            } else {
                lookups.put(List.of(key.tenantId(), key.ref()), resolve(key, found));
            }
        }
        store.findAll(tx, unknown)
                .forEach((key, lookup) -> lookups.put(List.of(key.tenantId(), key.ref()), resolve(key, lookup)));
    }

    private Object find(String tenantId, LicenseRef ref) {
        return resolve(new LicenseStore.Key(tenantId, ref), store.find(tx, tenantId, ref));
    }

    private Object resolve(LicenseStore.Key key, LicenseStore.Lookup lookup) {
        return switch (lookup) {
            case LicenseStore.Lookup.Missing missing -> missing.reason();
            case LicenseStore.Lookup.Found found -> {
                long id = found.license().id();
                named.put(key, id);
                // Another name for a license already loaded in this batch must see its latest state.
                if (!loaded.containsKey(id)) {
                    original.put(id, found.license());
                    versions.put(id, found.version());
                    loaded.put(id, found.license());
                    current.put(id, found.license());
                }
                yield id;
            }
        };
    }
}
