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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Record;
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

    public Lookup find(DSLContext tx, String tenantId, LicenseRef ref) {
        ProductRecord product = tx.selectFrom(PRODUCT)
                .where(PRODUCT.TENANT_ID.eq(tenantId))
                .and(PRODUCT.SHORT_CODE.eq(ref.product()))
                .fetchOne();
        if (product == null) {
            return new Lookup.Missing(RejectionType.UNKNOWN_PRODUCT);
        }
        var query = tx.selectFrom(LICENSE)
                .where(LICENSE.PRODUCT_ID.eq(product.getId()))
                .and(
                        ref.licenseKey() != null
                                ? LICENSE.LICENSE_KEY.eq(ref.licenseKey())
                                : LICENSE.USERNAME.eq(ref.username()));
        if (ref.licenseId() != null) {
            query = query.and(LICENSE.ID.eq(ref.licenseId()));
        }
        LicenseRecord row = query.orderBy(LICENSE.ID).limit(1).forUpdate().fetchOne();
        if (row == null) {
            return new Lookup.Missing(RejectionType.LICENSE_NOT_FOUND);
        }
        return new Lookup.Found(load(tx, row, product));
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

    private LicenseState load(DSLContext tx, LicenseRecord row, ProductRecord product) {
        Map<String, DeviceState> devices = new LinkedHashMap<>();
        for (DeviceRecord device : tx.selectFrom(DEVICE)
                .where(DEVICE.LICENSE_ID.eq(row.getId()))
                .orderBy(DEVICE.ID)
                .fetch()) {
            devices.put(
                    device.getHardwareId(),
                    new DeviceState(
                            device.getId(),
                            device.getHardwareId(),
                            device.getActive(),
                            device.getBlacklisted(),
                            instant(device.getActivatedAt()),
                            details(device.getDetails())));
        }
        Map<String, FeatureState> features = new LinkedHashMap<>();
        for (Record feature : tx.select(
                        LICENSE_FEATURE.asterisk(),
                        PRODUCT_FEATURE.CODE,
                        PRODUCT_FEATURE.NAME,
                        PRODUCT_FEATURE.FEATURE_TYPE)
                .from(LICENSE_FEATURE)
                .join(PRODUCT_FEATURE)
                .on(PRODUCT_FEATURE.ID.eq(LICENSE_FEATURE.PRODUCT_FEATURE_ID))
                .where(LICENSE_FEATURE.LICENSE_ID.eq(row.getId()))
                .orderBy(PRODUCT_FEATURE.ID)
                .fetch()) {
            features.put(
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
        return new LicenseState(
                row.getId(),
                row.getTenantId(),
                new LicenseState.Product(
                        product.getId(), product.getShortCode(), product.getName(), product.getAuthorizationMethod()),
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
                devices,
                features);
    }

    /** Writes what changed from {@code before} to {@code after}; returns {@code after} with the ids of new devices. */
    public LicenseState save(DSLContext tx, LicenseState before, LicenseState after) {
        if (!before.meter().equals(after.meter()) || before.enabled() != after.enabled()) {
            Meter meter = after.meter();
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
                    .where(LICENSE.ID.eq(after.id()))
                    .execute();
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
                tx.update(DEVICE)
                        .set(DEVICE.ACTIVE, device.active())
                        .set(DEVICE.BLACKLISTED, device.blacklisted())
                        .set(DEVICE.ACTIVATED_AT, offset(device.activatedAt()))
                        .set(DEVICE.DETAILS, json(device.details()))
                        .where(DEVICE.ID.eq(device.id()))
                        .execute();
            }
        }
        for (FeatureState feature : after.features().values()) {
            if (Objects.equals(feature, before.features().get(feature.code()))) {
                continue;
            }
            Meter meter = feature.meter();
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
                    .where(LICENSE_FEATURE.ID.eq(feature.id()))
                    .execute();
        }
        return saved;
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
