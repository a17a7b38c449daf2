package io.tally.worker.license;

import static io.tally.worker.db.Tables.DEVICE;
import static io.tally.worker.db.Tables.LICENSE;
import static io.tally.worker.db.Tables.LICENSE_FEATURE;
import static io.tally.worker.db.Tables.PRODUCT;
import static io.tally.worker.db.Tables.PRODUCT_FEATURE;

import io.tally.protocol.LicenseRef;
import io.tally.protocol.RejectionType;
import io.tally.worker.db.tables.records.DeviceRecord;
import io.tally.worker.db.tables.records.FloatingSeatRecord;
import io.tally.worker.db.tables.records.LicenseRecord;
import io.tally.worker.db.tables.records.ProductRecord;
import io.tally.worker.floating.FloatingSettings;
import io.tally.worker.floating.Seat;
import io.tally.worker.floating.SeatJournal;
import io.tally.worker.floating.SeatPool;
import io.tally.worker.sql.ArrayParameter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Query;
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
        /** @param version the license's version as read (see {@link LicenseCache}) */
        record Found(LicenseState license, long version) implements Lookup {}

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
     * features, in one round trip however many there are ({@link LicenseRows}): one batch of commands costs the same as
     * one command. A key naming several licenses (one user with several licenses of a product) finds the oldest, or the one
     * its {@code licenseId} picks.
     *
     * @return one lookup per key
     */
    public Map<Key, Lookup> findAll(DSLContext tx, Collection<Key> keys) {
        Map<Key, Lookup> lookups = new HashMap<>();
        if (keys.isEmpty()) {
            return lookups;
        }
        var names = new java.util.LinkedHashSet<List<String>>();
        Set<String> licenseKeys = new LinkedHashSet<>();
        Set<String> usernames = new LinkedHashSet<>();
        for (Key key : keys) {
            names.add(List.of(key.tenantId(), key.ref().product()));
            if (key.ref().licenseKey() != null) {
                licenseKeys.add(key.ref().licenseKey());
            } else {
                usernames.add(key.ref().username());
            }
        }
        // One round trip: the products, the licenses of those products with those keys or users (locked), their
        // devices and features. A key that also exists in another product of the batch is locked too; the match below
        // ignores it.
        LicenseRows.Read read = LicenseRows.byName(
                tx,
                names.stream().map(List::getFirst).toArray(String[]::new),
                names.stream().map(List::getLast).toArray(String[]::new),
                licenseKeys.toArray(String[]::new),
                usernames.toArray(String[]::new));
        Map<List<String>, ProductRecord> products = new HashMap<>();
        read.products()
                .forEach(product -> products.put(List.of(product.getTenantId(), product.getShortCode()), product));
        for (Key key : keys) {
            if (!products.containsKey(List.of(key.tenantId(), key.ref().product()))) {
                lookups.put(key, new Lookup.Missing(RejectionType.UNKNOWN_PRODUCT));
            }
        }
        List<LicenseRecord> rows = read.licenses();
        Map<Long, LicenseState> states = states(rows, productsById(products.values()), read);
        // Rows by what names them ("k" key or "u" user, product, name), oldest first: one map lookup per key rather
        // than a scan of the batch's rows for each of its commands.
        Map<List<Object>, List<LicenseRecord>> rowsByName = new HashMap<>();
        for (LicenseRecord row : rows) {
            if (row.getLicenseKey() != null) {
                rowsByName
                        .computeIfAbsent(
                                List.of("k", row.getProductId(), row.getLicenseKey()), name -> new ArrayList<>())
                        .add(row);
            } else {
                rowsByName
                        .computeIfAbsent(List.of("u", row.getProductId(), row.getUsername()), name -> new ArrayList<>())
                        .add(row);
            }
        }
        for (Key key : keys) {
            if (lookups.containsKey(key)) {
                continue;
            }
            ProductRecord product =
                    products.get(List.of(key.tenantId(), key.ref().product()));
            LicenseRef ref = key.ref();
            List<Object> name = ref.licenseKey() != null
                    ? List.of("k", product.getId(), ref.licenseKey())
                    : List.of("u", product.getId(), ref.username());
            LicenseRecord match = rowsByName.getOrDefault(name, List.of()).stream()
                    .filter(row -> ref.licenseId() == null || ref.licenseId().equals(row.getId()))
                    .findFirst()
                    .orElse(null);
            lookups.put(
                    key,
                    match == null
                            ? new Lookup.Missing(RejectionType.LICENSE_NOT_FOUND)
                            : new Lookup.Found(states.get(match.getId()), match.getVersion()));
        }
        return lookups;
    }

    /** Reads the licenses {@code ids} names, with their devices and features; the caller holds their locks. */
    public Map<Long, Lookup.Found> load(DSLContext tx, Collection<Long> ids) {
        Map<Long, Lookup.Found> found = new HashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        LicenseRows.Read read = LicenseRows.byIds(tx, ids.toArray(Long[]::new));
        List<LicenseRecord> rows = read.licenses();
        Map<Long, LicenseState> states = states(rows, productsById(read.products()), read);
        rows.forEach(row -> found.put(row.getId(), new Lookup.Found(states.get(row.getId()), row.getVersion())));
        return found;
    }

    private static Map<Long, ProductRecord> productsById(Collection<ProductRecord> products) {
        Map<Long, ProductRecord> byId = new HashMap<>();
        products.forEach(product -> byId.put(product.getId(), product));
        return byId;
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

    /** The state of each license row, with the devices and features {@code read} holds. */
    private Map<Long, LicenseState> states(
            List<LicenseRecord> rows, Map<Long, ProductRecord> productsById, LicenseRows.Read read) {
        Map<Long, LicenseState> states = new HashMap<>();
        if (rows.isEmpty()) {
            return states;
        }
        Map<Long, Map<String, DeviceState>> devicesByLicense = new HashMap<>();
        for (DeviceRecord device : read.devices()) {
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
        // Seats by license, then by feature code ("" for the license's own).
        Map<Long, Map<String, List<Seat>>> seatsByLicense = new HashMap<>();
        for (FloatingSeatRecord seat : read.seats()) {
            seatsByLicense
                    .computeIfAbsent(seat.getLicenseId(), id -> new HashMap<>())
                    .computeIfAbsent(seat.getFeatureCode(), code -> new ArrayList<>())
                    .add(new Seat(
                            seat.getHardwareId(),
                            instant(seat.getCheckedInAt()),
                            instant(seat.getBorrowedUntil()),
                            instant(seat.getHeldUntil())));
        }
        Map<Long, Map<String, FeatureState>> featuresByLicense = new HashMap<>();
        for (Record feature : read.features()) {
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
                                    featureMeter(feature),
                                    feature.get(LICENSE_FEATURE.IS_FLOATING_CLOUD)
                                            ? new FloatingSettings(
                                                    feature.get(LICENSE_FEATURE.FLOATING_USERS),
                                                    feature.get(LICENSE_FEATURE.FLOATING_TIMEOUT),
                                                    false,
                                                    0)
                                            : null,
                                    SeatPool.of(seatsByLicense
                                            .getOrDefault(feature.get(LICENSE_FEATURE.LICENSE_ID), Map.of())
                                            .getOrDefault(feature.get(PRODUCT_FEATURE.CODE), List.of()))));
        }
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
                            featuresByLicense.getOrDefault(row.getId(), new LinkedHashMap<>()),
                            row.getIsFloatingCloud()
                                    ? new FloatingSettings(
                                            row.getFloatingUsers(),
                                            row.getFloatingTimeout(),
                                            row.getCanBorrow(),
                                            row.getMaxBorrowTime())
                                    : null,
                            SeatPool.of(seatsByLicense
                                    .getOrDefault(row.getId(), Map.of())
                                    .getOrDefault("", List.of())),
                            SeatJournal.empty()));
        }
        return states;
    }

    private static Meter featureMeter(Record feature) {
        return new Meter(
                feature.get(LICENSE_FEATURE.MAX_CONSUMPTION),
                feature.get(LICENSE_FEATURE.TOTAL_CONSUMPTIONS),
                feature.get(LICENSE_FEATURE.ALLOW_UNLIMITED_CONSUMPTIONS),
                feature.get(LICENSE_FEATURE.ALLOW_NEGATIVE_CONSUMPTIONS),
                feature.get(LICENSE_FEATURE.ALLOW_OVERAGES),
                feature.get(LICENSE_FEATURE.MAX_OVERAGES),
                feature.get(LICENSE_FEATURE.RESET_CONSUMPTION),
                feature.get(LICENSE_FEATURE.CONSUMPTION_PERIOD),
                instant(feature.get(LICENSE_FEATURE.PERIOD_STARTED_AT)));
    }

    /** Writes what changed from {@code before} to {@code after}; returns {@code after} with the ids of new devices. */
    public LicenseState save(DSLContext tx, LicenseState before, LicenseState after) {
        return save(tx, before, after, null);
    }

    /**
     * Updates collected from several {@link #save(DSLContext, LicenseState, LicenseState, PendingWrites)} calls, run
     * by {@link #write(DSLContext, PendingWrites)} in two round trips: the rest (devices, features) as one JDBC batch,
     * then every changed license row in one statement. Not thread-safe; one per transaction.
     */
    public static final class PendingWrites {
        private final Map<Long, LicenseState> licenses = new LinkedHashMap<>();
        private final List<Query> others = new ArrayList<>();
        /** Seat rows to write (a seat) or delete (empty), by license and key. */
        private final Map<Long, Map<SeatJournal.Key, java.util.Optional<Seat>>> seats = new LinkedHashMap<>();

        /** Whether devices or features are to be written (each moves its license's version). */
        public boolean changesDevicesOrFeatures() {
            return !others.isEmpty();
        }

        /** Writes the license's row even if only its devices or features changed, so its new version is returned. */
        public void touch(LicenseState license) {
            licenses.put(license.id(), license);
        }
    }

    /**
     * Writes every license row {@link PendingWrites#touch touched}, raising each one's version (set here rather than
     * left to the trigger so that it comes back in the same round trip); returns {@code id, version} per row. Its
     * parameters are {@link #licenseUpdate(PendingWrites)}.
     */
    public static final String UPDATE_LICENSES = "update license l set version = l.version + 1, enabled = v.enabled,"
            + " max_consumptions = v.max, total_consumptions = v.total,"
            + " allow_unlimited_consumptions = v.unlimited, allow_negative_consumptions = v.negative,"
            + " allow_overages = v.overages, max_overages = v.max_overages,"
            + " reset_consumption = v.reset, consumption_period = v.period,"
            + " period_started_at = v.started,"
            + " is_floating_cloud = v.floating, floating_users = coalesce(v.users, l.floating_users),"
            + " floating_timeout = coalesce(v.timeout, l.floating_timeout), can_borrow = coalesce(v.borrow,"
            + " l.can_borrow), max_borrow_time = coalesce(v.max_borrow, l.max_borrow_time)"
            + " from unnest(?::bigint[], ?::boolean[], ?::bigint[], ?::bigint[], ?::boolean[], ?::boolean[],"
            + " ?::boolean[], ?::bigint[], ?::boolean[], ?::varchar[], ?::timestamptz[], ?::bigint[],"
            + " ?::boolean[], ?::int4[], ?::int4[], ?::boolean[], ?::int4[])"
            + " as v(id, enabled, max, total, unlimited, negative, overages, max_overages, reset, period, started,"
            + " expected, floating, users, timeout, borrow, max_borrow) where l.id = v.id"
            + " and l.version = coalesce(v.expected, l.version) returning l.id, l.version";

    /**
     * The parameters of {@link #UPDATE_LICENSES} for the license rows {@code pending} touched, each written only if its
     * version is still the one {@code expectedVersions} names; rows it does not name are written whatever their version
     * (the caller holds their locks).
     */
    public static List<ArrayParameter> licenseUpdate(PendingWrites pending, Map<Long, Long> expectedVersions) {
        List<LicenseState> licenses = new ArrayList<>(pending.licenses.values());
        int n = licenses.size();
        Long[] ids = new Long[n];
        Boolean[] enabled = new Boolean[n];
        Long[] max = new Long[n];
        Long[] total = new Long[n];
        Boolean[] unlimited = new Boolean[n];
        Boolean[] negative = new Boolean[n];
        Boolean[] overages = new Boolean[n];
        Long[] maxOverages = new Long[n];
        Boolean[] reset = new Boolean[n];
        String[] period = new String[n];
        String[] started = new String[n];
        Long[] expected = new Long[n];
        Boolean[] floating = new Boolean[n];
        Integer[] users = new Integer[n];
        Integer[] timeout = new Integer[n];
        Boolean[] borrow = new Boolean[n];
        Integer[] maxBorrow = new Integer[n];
        for (int i = 0; i < n; i++) {
            LicenseState license = licenses.get(i);
            Meter meter = license.meter();
            ids[i] = license.id();
            enabled[i] = license.enabled();
            max[i] = meter.max();
            total[i] = meter.total();
            unlimited[i] = meter.allowUnlimited();
            negative[i] = meter.allowNegative();
            overages[i] = meter.allowOverages();
            maxOverages[i] = meter.maxOverages();
            reset[i] = meter.reset();
            period[i] = meter.period();
            started[i] =
                    meter.periodStart() == null ? null : meter.periodStart().toString();
            expected[i] = expectedVersions.get(license.id());
            // A license that is not floating keeps the settings it had, for when it floats again.
            FloatingSettings settings = license.floating();
            floating[i] = settings != null;
            users[i] = settings == null ? null : settings.users();
            timeout[i] = settings == null ? null : settings.timeoutMinutes();
            borrow[i] = settings == null ? null : settings.canBorrow();
            maxBorrow[i] = settings == null ? null : settings.maxBorrowHours();
        }
        return List.of(
                new ArrayParameter("int8", ids),
                new ArrayParameter("bool", enabled),
                new ArrayParameter("int8", max),
                new ArrayParameter("int8", total),
                new ArrayParameter("bool", unlimited),
                new ArrayParameter("bool", negative),
                new ArrayParameter("bool", overages),
                new ArrayParameter("int8", maxOverages),
                new ArrayParameter("bool", reset),
                new ArrayParameter("text", period),
                new ArrayParameter("text", started),
                new ArrayParameter("int8", expected),
                new ArrayParameter("bool", floating),
                new ArrayParameter("int4", users),
                new ArrayParameter("int4", timeout),
                new ArrayParameter("bool", borrow),
                new ArrayParameter("int4", maxBorrow));
    }

    /** Upserts seats; parameters: {@link #seatUpserts}. Part of one statement with the license rows' update. */
    public static final String UPSERT_SEATS = "insert into floating_seat as s (license_id, feature_code, hardware_id,"
            + " checked_in_at, borrowed_until, held_until) select * from unnest(?::bigint[], ?::varchar[],"
            + " ?::varchar[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[]) on conflict (license_id,"
            + " feature_code, hardware_id) do update set checked_in_at = excluded.checked_in_at,"
            + " borrowed_until = excluded.borrowed_until, held_until = excluded.held_until";

    /** Deletes freed seats; parameters: {@link #seatDeletes}. */
    public static final String DELETE_SEATS = "delete from floating_seat s using unnest(?::bigint[], ?::varchar[],"
            + " ?::varchar[]) as v(license_id, feature_code, hardware_id) where s.license_id = v.license_id"
            + " and s.feature_code = v.feature_code and s.hardware_id = v.hardware_id";

    /** The parameters of {@link #UPSERT_SEATS}: every seat {@code pending} writes (possibly none). */
    public static List<ArrayParameter> seatUpserts(PendingWrites pending) {
        List<Long> licenses = new ArrayList<>();
        List<String> features = new ArrayList<>();
        List<String> devices = new ArrayList<>();
        List<String> checkedIn = new ArrayList<>();
        List<String> borrowed = new ArrayList<>();
        List<String> held = new ArrayList<>();
        pending.seats.forEach((license, rows) -> rows.forEach((key, seat) -> seat.ifPresent(written -> {
            licenses.add(license);
            features.add(key.feature());
            devices.add(key.hardwareId());
            checkedIn.add(written.checkedInAt().toString());
            borrowed.add(
                    written.borrowedUntil() == null
                            ? null
                            : written.borrowedUntil().toString());
            held.add(written.heldUntil().toString());
        })));
        return List.of(
                new ArrayParameter("int8", licenses.toArray(Long[]::new)),
                new ArrayParameter("text", features.toArray(String[]::new)),
                new ArrayParameter("text", devices.toArray(String[]::new)),
                new ArrayParameter("text", checkedIn.toArray(String[]::new)),
                new ArrayParameter("text", borrowed.toArray(String[]::new)),
                new ArrayParameter("text", held.toArray(String[]::new)));
    }

    /** The parameters of {@link #DELETE_SEATS}: every seat {@code pending} frees (possibly none). */
    public static List<ArrayParameter> seatDeletes(PendingWrites pending) {
        List<Long> licenses = new ArrayList<>();
        List<String> features = new ArrayList<>();
        List<String> devices = new ArrayList<>();
        pending.seats.forEach((license, rows) -> rows.forEach((key, seat) -> {
            if (seat.isEmpty()) {
                licenses.add(license);
                features.add(key.feature());
                devices.add(key.hardwareId());
            }
        }));
        return List.of(
                new ArrayParameter("int8", licenses.toArray(Long[]::new)),
                new ArrayParameter("text", features.toArray(String[]::new)),
                new ArrayParameter("text", devices.toArray(String[]::new)));
    }

    /** Runs the device and feature updates {@code pending} collected, as one JDBC batch; nothing when there are none. */
    public void writeDevicesAndFeatures(DSLContext tx, PendingWrites pending) {
        if (!pending.others.isEmpty()) {
            tx.batch(pending.others).execute();
        }
    }

    /**
     * Runs what {@code pending} collected: devices and features, then every touched license row in one statement.
     *
     * @return the new version of each license row written (everything {@link PendingWrites#touch touched})
     */
    public Map<Long, Long> write(DSLContext tx, PendingWrites pending) {
        writeDevicesAndFeatures(tx, pending);
        writeSeats(tx, pending);
        Map<Long, Long> versions = new HashMap<>();
        if (pending.licenses.isEmpty()) {
            return versions;
        }
        List<ArrayParameter> parameters = licenseUpdate(pending, Map.of());
        tx.connection(connection -> {
            try (var statement = connection.prepareStatement(UPDATE_LICENSES)) {
                ArrayParameter.bind(connection, statement, parameters);
                try (var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        versions.put(rows.getLong(1), rows.getLong(2));
                    }
                }
            }
        });
        return versions;
    }

    /** Runs the seat writes {@code pending} collected, when there are any. */
    public void writeSeats(DSLContext tx, PendingWrites pending) {
        if (pending.seats.isEmpty()) {
            return;
        }
        for (var statement : List.of(
                java.util.Map.entry(UPSERT_SEATS, seatUpserts(pending)),
                java.util.Map.entry(DELETE_SEATS, seatDeletes(pending)))) {
            tx.connection(connection -> {
                try (var prepared = connection.prepareStatement(statement.getKey())) {
                    ArrayParameter.bind(connection, prepared, statement.getValue());
                    prepared.executeUpdate();
                }
            });
        }
        pending.seats.clear();
    }

    /**
     * As {@link #save(DSLContext, LicenseState, LicenseState)}, but updates go to {@code pending}, run later by
     * {@link #write}; only new devices, whose ids the answer needs, are inserted at once. With {@code pending} null,
     * everything runs at once.
     */
    public LicenseState save(DSLContext tx, LicenseState before, LicenseState after, PendingWrites pending) {
        if (!before.meter().equals(after.meter())
                || before.enabled() != after.enabled()
                || !Objects.equals(before.floating(), after.floating())) {
            if (pending != null) {
                pending.touch(after);
            } else {
                Meter meter = after.meter();
                FloatingSettings floating = after.floating();
                if (floating != null) {
                    tx.update(LICENSE)
                            .set(LICENSE.FLOATING_USERS, floating.users())
                            .set(LICENSE.FLOATING_TIMEOUT, floating.timeoutMinutes())
                            .set(LICENSE.CAN_BORROW, floating.canBorrow())
                            .set(LICENSE.MAX_BORROW_TIME, floating.maxBorrowHours())
                            .where(LICENSE.ID.eq(after.id()))
                            .execute();
                }
                tx.update(LICENSE)
                        .set(LICENSE.IS_FLOATING_CLOUD, floating != null)
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
        }
        List<Query> deferred = pending == null ? null : pending.others;
        LicenseState saved = after;
        if (!after.unsavedSeats().isEmpty()) {
            PendingWrites seatWrites = pending != null ? pending : new PendingWrites();
            seatWrites
                    .seats
                    .computeIfAbsent(after.id(), id -> new LinkedHashMap<>())
                    .putAll(after.unsavedSeats().rows());
            seatWrites.touch(after);
            if (pending == null) {
                writeSeats(tx, seatWrites);
                tx.update(LICENSE)
                        .set(LICENSE.VERSION, LICENSE.VERSION.plus(1))
                        .where(LICENSE.ID.eq(after.id()))
                        .execute();
            }
            saved = saved.withSeatsSaved();
        }
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
