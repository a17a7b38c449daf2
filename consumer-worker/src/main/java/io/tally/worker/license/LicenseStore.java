package io.tally.worker.license;

import static io.tally.worker.db.Tables.DEVICE;
import static io.tally.worker.db.Tables.LICENSE;
import static io.tally.worker.db.Tables.LICENSE_FEATURE;
import static io.tally.worker.db.Tables.PRODUCT;
import static io.tally.worker.db.Tables.PRODUCT_FEATURE;

import io.tally.protocol.LicenseRef;
import io.tally.protocol.RejectionType;
import io.tally.worker.db.tables.records.DeviceRecord;
import io.tally.worker.db.tables.records.LicenseRecord;
import io.tally.worker.db.tables.records.ProductRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.Row2;
import org.jooq.impl.DSL;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Loads and saves license state with jOOQ, inside the caller's transaction. Loading locks the license row
 * ({@code FOR UPDATE}) until the transaction ends.
 */
@Component
public class LicenseStore {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A license found, or why there is none. */
    public sealed interface Lookup {
        record Found(LicenseState license) implements Lookup {}

        record Missing(RejectionType reason) implements Lookup {}
    }

    /** A license as a command names it. */
    public record Key(String tenantId, LicenseRef ref) {}

    public Lookup find(DSLContext tx, String tenantId, LicenseRef ref) {
        Key key = new Key(tenantId, ref);
        return findAll(tx, List.of(key)).get(key);
    }

    /**
     * Finds and locks ({@code FOR UPDATE}, in id order) the licenses {@code keys} name, with their devices and
     * features, in four queries however many there are: one batch of commands costs the same few round trips as one
     * command. A key naming several licenses (one user with several licenses of a product) finds the oldest, or the one
     * its {@code licenseId} picks.
     *
     * @return one lookup per key
     */
    public Map<Key, Lookup> findAll(DSLContext tx, Collection<Key> keys) {
        Map<Key, Lookup> lookups = new HashMap<>();
        if (keys.isEmpty()) {
            return lookups;
        }
        Map<List<String>, ProductRecord> products = new HashMap<>();
        tx.selectFrom(PRODUCT)
                .where(DSL.row(PRODUCT.TENANT_ID, PRODUCT.SHORT_CODE)
                        .in(keys.stream()
                                .map(key -> DSL.row(key.tenantId(), key.ref().product()))
                                .distinct()
                                .toList()))
                .forEach(product -> products.put(List.of(product.getTenantId(), product.getShortCode()), product));
        Set<Row2<Long, String>> byKey = new LinkedHashSet<>();
        Set<Row2<Long, String>> byUser = new LinkedHashSet<>();
        for (Key key : keys) {
            ProductRecord product =
                    products.get(List.of(key.tenantId(), key.ref().product()));
            if (product == null) {
                lookups.put(key, new Lookup.Missing(RejectionType.UNKNOWN_PRODUCT));
            } else if (key.ref().licenseKey() != null) {
                byKey.add(DSL.row(product.getId(), key.ref().licenseKey()));
            } else {
                byUser.add(DSL.row(product.getId(), key.ref().username()));
            }
        }
        Condition named = DSL.falseCondition();
        if (!byKey.isEmpty()) {
            named = named.or(DSL.row(LICENSE.PRODUCT_ID, LICENSE.LICENSE_KEY).in(byKey));
        }
        if (!byUser.isEmpty()) {
            named = named.or(DSL.row(LICENSE.PRODUCT_ID, LICENSE.USERNAME).in(byUser));
        }
        List<LicenseRecord> rows = byKey.isEmpty() && byUser.isEmpty()
                ? List.of()
                : tx.selectFrom(LICENSE)
                        .where(named)
                        .orderBy(LICENSE.ID)
                        .forUpdate()
                        .fetch();
        Map<Long, LicenseState> states = states(tx, rows, products);
        for (Key key : keys) {
            if (lookups.containsKey(key)) {
                continue;
            }
            ProductRecord product =
                    products.get(List.of(key.tenantId(), key.ref().product()));
            LicenseRef ref = key.ref();
            LicenseRecord match = rows.stream()
                    .filter(row -> row.getProductId().equals(product.getId()))
                    .filter(row -> ref.licenseKey() != null
                            ? ref.licenseKey().equals(row.getLicenseKey())
                            : ref.username().equals(row.getUsername()))
                    .filter(row -> ref.licenseId() == null || ref.licenseId().equals(row.getId()))
                    .findFirst()
                    .orElse(null);
            lookups.put(
                    key,
                    match == null
                            ? new Lookup.Missing(RejectionType.LICENSE_NOT_FOUND)
                            : new Lookup.Found(states.get(match.getId())));
        }
        return lookups;
    }

    /** The partition identity of a license by id, within a tenant. */
    public java.util.Optional<LicenseRef> refOf(DSLContext tx, String tenantId, long licenseId) {
        return tx.select(PRODUCT.SHORT_CODE, LICENSE.LICENSE_KEY, LICENSE.USERNAME, LICENSE.ID)
                .from(LICENSE)
                .join(PRODUCT)
                .on(PRODUCT.ID.eq(LICENSE.PRODUCT_ID))
                .where(LICENSE.TENANT_ID.eq(tenantId))
                .and(LICENSE.ID.eq(licenseId))
                .fetchOptional(r -> new LicenseRef(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    /** The license a device belongs to, within a tenant. */
    public java.util.Optional<Long> licenseOfDevice(DSLContext tx, String tenantId, long deviceId) {
        return tx.select(LICENSE.ID)
                .from(DEVICE)
                .join(LICENSE)
                .on(LICENSE.ID.eq(DEVICE.LICENSE_ID))
                .where(LICENSE.TENANT_ID.eq(tenantId))
                .and(DEVICE.ID.eq(deviceId))
                .fetchOptional(LICENSE.ID);
    }

    /** The state of each license row, with its devices and features read in one query each. */
    private Map<Long, LicenseState> states(
            DSLContext tx, List<LicenseRecord> rows, Map<List<String>, ProductRecord> products) {
        Map<Long, LicenseState> states = new HashMap<>();
        if (rows.isEmpty()) {
            return states;
        }
        List<Long> ids = rows.stream().map(LicenseRecord::getId).toList();
        Map<Long, Map<String, DeviceState>> devicesByLicense = new HashMap<>();
        for (DeviceRecord device : tx.selectFrom(DEVICE)
                .where(DEVICE.LICENSE_ID.in(ids))
                .orderBy(DEVICE.ID)
                .fetch()) {
            devicesByLicense
                    .computeIfAbsent(device.getLicenseId(), id -> new LinkedHashMap<>())
                    .put(
                            device.getHardwareId(),
                            new DeviceState(
                                    device.getId(),
                                    device.getHardwareId(),
                                    device.getActive(),
                                    device.getBlacklisted(),
                                    instant(device.getActivatedAt()),
                                    details(device.getDetails())));
        }
        Map<Long, Map<String, FeatureState>> featuresByLicense = new HashMap<>();
        for (Record feature : tx.select(
                        LICENSE_FEATURE.asterisk(),
                        PRODUCT_FEATURE.CODE,
                        PRODUCT_FEATURE.NAME,
                        PRODUCT_FEATURE.FEATURE_TYPE)
                .from(LICENSE_FEATURE)
                .join(PRODUCT_FEATURE)
                .on(PRODUCT_FEATURE.ID.eq(LICENSE_FEATURE.PRODUCT_FEATURE_ID))
                .where(LICENSE_FEATURE.LICENSE_ID.in(ids))
                .orderBy(PRODUCT_FEATURE.ID)
                .fetch()) {
            featuresByLicense
                    .computeIfAbsent(feature.get(LICENSE_FEATURE.LICENSE_ID), id -> new LinkedHashMap<>())
                    .put(
                            feature.get(PRODUCT_FEATURE.CODE),
                            new FeatureState(
                                    feature.get(LICENSE_FEATURE.ID),
                                    feature.get(LICENSE_FEATURE.PRODUCT_FEATURE_ID),
                                    feature.get(PRODUCT_FEATURE.CODE),
                                    feature.get(PRODUCT_FEATURE.NAME),
                                    feature.get(PRODUCT_FEATURE.FEATURE_TYPE),
                                    new Meter(
                                            feature.get(LICENSE_FEATURE.MAX_CONSUMPTION),
                                            feature.get(LICENSE_FEATURE.TOTAL_CONSUMPTIONS),
                                            feature.get(LICENSE_FEATURE.ALLOW_UNLIMITED_CONSUMPTIONS),
                                            feature.get(LICENSE_FEATURE.ALLOW_NEGATIVE_CONSUMPTIONS),
                                            feature.get(LICENSE_FEATURE.ALLOW_OVERAGES),
                                            feature.get(LICENSE_FEATURE.MAX_OVERAGES),
                                            feature.get(LICENSE_FEATURE.RESET_CONSUMPTION),
                                            feature.get(LICENSE_FEATURE.CONSUMPTION_PERIOD),
                                            instant(feature.get(LICENSE_FEATURE.PERIOD_STARTED_AT)))));
        }
        Map<Long, ProductRecord> productsById = new HashMap<>();
        products.values().forEach(product -> productsById.put(product.getId(), product));
        for (LicenseRecord row : rows) {
            ProductRecord product = productsById.get(row.getProductId());
            states.put(
                    row.getId(),
                    new LicenseState(
                            row.getId(),
                            row.getTenantId(),
                            new LicenseState.Product(
                                    product.getId(),
                                    product.getShortCode(),
                                    product.getName(),
                                    product.getAuthorizationMethod()),
                            row.getLicenseKey(),
                            row.getUsername(),
                            row.getPasswordHash(),
                            row.getLicenseType(),
                            row.getEnabled(),
                            row.getMaxActivations(),
                            instant(row.getValidityPeriod()),
                            new Meter(
                                    row.getMaxConsumptions(),
                                    row.getTotalConsumptions(),
                                    row.getAllowUnlimitedConsumptions(),
                                    row.getAllowNegativeConsumptions(),
                                    row.getAllowOverages(),
                                    row.getMaxOverages(),
                                    row.getResetConsumption(),
                                    row.getConsumptionPeriod(),
                                    instant(row.getPeriodStartedAt())),
                            devicesByLicense.getOrDefault(row.getId(), new LinkedHashMap<>()),
                            featuresByLicense.getOrDefault(row.getId(), new LinkedHashMap<>())));
        }
        return states;
    }

    /** Writes what changed from {@code before} to {@code after}; returns {@code after} with the ids of new devices. */
    public LicenseState save(DSLContext tx, LicenseState before, LicenseState after) {
        return save(tx, before, after, null);
    }

    /**
     * As {@link #save(DSLContext, LicenseState, LicenseState)}, but updates go to {@code deferred} for the caller to
     * run as one batch (one round trip for a whole poll batch); only new devices, whose ids the answer needs, are
     * inserted at once. With {@code deferred} null, everything runs at once.
     */
    public LicenseState save(DSLContext tx, LicenseState before, LicenseState after, List<Query> deferred) {
        if (!before.meter().equals(after.meter()) || before.enabled() != after.enabled()) {
            Meter meter = after.meter();
            run(
                    deferred,
                    tx.update(LICENSE)
                            .set(LICENSE.ENABLED, after.enabled())
                            .set(LICENSE.MAX_CONSUMPTIONS, meter.max())
                            .set(LICENSE.TOTAL_CONSUMPTIONS, meter.total())
                            .set(LICENSE.ALLOW_UNLIMITED_CONSUMPTIONS, meter.allowUnlimited())
                            .set(LICENSE.ALLOW_NEGATIVE_CONSUMPTIONS, meter.allowNegative())
                            .set(LICENSE.ALLOW_OVERAGES, meter.allowOverages())
                            .set(LICENSE.MAX_OVERAGES, meter.maxOverages())
                            .set(LICENSE.RESET_CONSUMPTION, meter.reset())
                            .set(LICENSE.CONSUMPTION_PERIOD, meter.period())
                            .set(LICENSE.PERIOD_STARTED_AT, offset(meter.periodStart()))
                            .where(LICENSE.ID.eq(after.id())));
        }
        LicenseState saved = after;
        for (DeviceState device : after.devices().values()) {
            DeviceState previous = before.devices().get(device.hardwareId());
            if (device.id() == 0) {
                long id = tx.insertInto(DEVICE)
                        .set(DEVICE.LICENSE_ID, after.id())
                        .set(DEVICE.HARDWARE_ID, device.hardwareId())
                        .set(DEVICE.ACTIVE, device.active())
                        .set(DEVICE.BLACKLISTED, device.blacklisted())
                        .set(DEVICE.ACTIVATED_AT, offset(device.activatedAt()))
                        .set(DEVICE.DETAILS, json(device.details()))
                        .returning(DEVICE.ID)
                        .fetchOne(DEVICE.ID);
                saved = saved.withDevice(new DeviceState(
                        id,
                        device.hardwareId(),
                        device.active(),
                        device.blacklisted(),
                        device.activatedAt(),
                        device.details()));
            } else if (!device.equals(previous)) {
                run(
                        deferred,
                        tx.update(DEVICE)
                                .set(DEVICE.ACTIVE, device.active())
                                .set(DEVICE.BLACKLISTED, device.blacklisted())
                                .set(DEVICE.ACTIVATED_AT, offset(device.activatedAt()))
                                .set(DEVICE.DETAILS, json(device.details()))
                                .where(DEVICE.ID.eq(device.id())));
            }
        }
        for (FeatureState feature : after.features().values()) {
            if (Objects.equals(feature, before.features().get(feature.code()))) {
                continue;
            }
            Meter meter = feature.meter();
            run(
                    deferred,
                    tx.update(LICENSE_FEATURE)
                            .set(LICENSE_FEATURE.MAX_CONSUMPTION, meter.max())
                            .set(LICENSE_FEATURE.TOTAL_CONSUMPTIONS, meter.total())
                            .set(LICENSE_FEATURE.ALLOW_UNLIMITED_CONSUMPTIONS, meter.allowUnlimited())
                            .set(LICENSE_FEATURE.ALLOW_NEGATIVE_CONSUMPTIONS, meter.allowNegative())
                            .set(LICENSE_FEATURE.ALLOW_OVERAGES, meter.allowOverages())
                            .set(LICENSE_FEATURE.MAX_OVERAGES, meter.maxOverages())
                            .set(LICENSE_FEATURE.RESET_CONSUMPTION, meter.reset())
                            .set(LICENSE_FEATURE.CONSUMPTION_PERIOD, meter.period())
                            .set(LICENSE_FEATURE.PERIOD_STARTED_AT, offset(meter.periodStart()))
                            .where(LICENSE_FEATURE.ID.eq(feature.id())));
        }
        return saved;
    }

    private static void run(List<Query> deferred, Query query) {
        if (deferred == null) {
            query.execute();
        } else {
            deferred.add(query);
        }
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    static OffsetDateTime offset(Instant time) {
        return time == null ? null : time.atOffset(ZoneOffset.UTC);
    }

    private static Map<String, Object> details(JSONB json) {
        if (json == null) {
            return Map.of();
        }
        Map<String, Object> values = JSON.readValue(json.data(), new TypeReference<Map<String, Object>>() {});
        values.values().removeIf(Objects::isNull);
        return values;
    }

    private static JSONB json(Map<String, Object> details) {
        return details.isEmpty() ? null : JSONB.valueOf(JSON.writeValueAsString(details));
    }
}
