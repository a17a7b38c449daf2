package io.tally.worker.management;

import static io.tally.worker.db.Tables.COMMAND_LEDGER;
import static io.tally.worker.db.Tables.CUSTOMER_ORDER;
import static io.tally.worker.db.Tables.LICENSE;
import static io.tally.worker.db.Tables.LICENSE_FEATURE;
import static io.tally.worker.db.Tables.PRODUCT;
import static io.tally.worker.db.Tables.PRODUCT_FEATURE;

import io.tally.protocol.CommandResult;
import io.tally.protocol.FeatureSettings;
import io.tally.protocol.FloatingSpec;
import io.tally.protocol.ManagementCommand;
import io.tally.protocol.Rejection;
import io.tally.protocol.RejectionType;
import io.tally.worker.db.tables.records.LicenseRecord;
import io.tally.worker.db.tables.records.ProductRecord;
import io.tally.worker.license.LicenseStore;
import io.tally.worker.license.PasswordHashing;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.springframework.stereotype.Component;

/**
 * Applies Management API commands that create data, inside the caller's transaction. A command is all or nothing: an
 * order with one bad license creates none of them.
 */
@Component
public class ManagementHandler {

    /** Minutes a seat is held after its last check-in when neither the call nor the product says (ADR 25). */
    static final int DEFAULT_FLOATING_TIMEOUT = 120;

    /** The ledger's command types of License API requests (the simple names of {@link LicenseCommand}'s kinds). */
    private static final java.util.List<String> LICENSE_API_COMMAND_TYPES = java.util.Arrays.stream(
                    io.tally.protocol.LicenseCommand.class.getPermittedSubclasses())
            .map(Class::getSimpleName)
            .toList();

    private final LicenseStore licenses;
    private final io.tally.protocol.ProtocolCodec codec;
    private final io.tally.worker.ledger.Ledger ledger;

    public ManagementHandler(
            LicenseStore licenses, io.tally.protocol.ProtocolCodec codec, io.tally.worker.ledger.Ledger ledger) {
        this.licenses = licenses;
        this.codec = codec;
        this.ledger = ledger;
    }

    /** Applies {@code command} under a savepoint; a refusal rolls back everything the command wrote. */
    public CommandResult apply(DSLContext tx, ManagementCommand command) {
        try {
            return tx.transactionResult(nested -> applyAll(nested.dsl(), command));
        } catch (Refusal refusal) {
            return new CommandResult.CommandRejected(Rejection.of(refusal.type));
        }
    }

    private CommandResult applyAll(DSLContext tx, ManagementCommand command) {
        return switch (command) {
            case ManagementCommand.CreateProduct create -> createProduct(tx, create);
            case ManagementCommand.CreateProductFeature create -> createFeature(tx, create);
            case ManagementCommand.CreateOrder order -> createOrder(tx, order);
            case ManagementCommand.ResolveLicense resolve -> resolve(tx, resolve);
            case ManagementCommand.LookupOutcome lookup -> lookup(tx, lookup);
            case ManagementCommand.ListConsumptions list -> consumptions(tx, list);
        };
    }

    private CommandResult createProduct(DSLContext tx, ManagementCommand.CreateProduct command) {
        boolean exists = tx.fetchExists(tx.selectFrom(PRODUCT)
                .where(PRODUCT.TENANT_ID.eq(command.tenantId()))
                .and(PRODUCT.SHORT_CODE.eq(command.shortCode())));
        if (exists) {
            throw new Refusal(RejectionType.PRODUCT_EXISTS);
        }
        FeatureSettings defaults = command.defaults();
        boolean overages = Boolean.TRUE.equals(defaults.allowOverages());
        long id = tx.insertInto(PRODUCT)
                .set(PRODUCT.TENANT_ID, command.tenantId())
                .set(PRODUCT.SHORT_CODE, command.shortCode())
                .set(PRODUCT.NAME, command.productName() != null ? command.productName() : command.shortCode())
                .set(
                        PRODUCT.AUTHORIZATION_METHOD,
                        command.authorizationMethod() != null ? command.authorizationMethod() : "license-key")
                .set(
                        PRODUCT.DEFAULT_LICENSE_TYPE,
                        command.defaultLicenseType() != null ? command.defaultLicenseType() : "consumption")
                .set(PRODUCT.MAX_ACTIVATIONS, command.maxActivations() != null ? command.maxActivations() : 1)
                .set(PRODUCT.MAX_CONSUMPTIONS, orZero(defaults.maxConsumption()))
                .set(PRODUCT.ALLOW_OVERAGES, overages)
                .set(PRODUCT.MAX_OVERAGES, overages ? orZero(defaults.maxOverages()) : 0L)
                .set(PRODUCT.ALLOW_UNLIMITED_CONSUMPTIONS, Boolean.TRUE.equals(defaults.allowUnlimitedConsumptions()))
                .set(PRODUCT.ALLOW_NEGATIVE_CONSUMPTIONS, Boolean.TRUE.equals(defaults.allowNegativeConsumptions()))
                .set(PRODUCT.RESET_CONSUMPTION, Boolean.TRUE.equals(defaults.resetConsumption()))
                .set(PRODUCT.CONSUMPTION_PERIOD, defaults.consumptionPeriod())
                .set(
                        PRODUCT.IS_FLOATING_CLOUD,
                        Boolean.TRUE.equals(command.floating().isFloatingCloud()))
                .set(PRODUCT.FLOATING_USERS, orDefault(command.floating().floatingUsers(), 1))
                .set(
                        PRODUCT.FLOATING_TIMEOUT,
                        orDefault(command.floating().floatingTimeout(), DEFAULT_FLOATING_TIMEOUT))
                .set(PRODUCT.CAN_BORROW, Boolean.TRUE.equals(command.floating().canBorrow()))
                .set(PRODUCT.MAX_BORROW_TIME, orDefault(command.floating().maxBorrowTime(), 0))
                .returning(PRODUCT.ID)
                .fetchOne(PRODUCT.ID);
        return new CommandResult.ProductCreated(id);
    }

    private CommandResult createFeature(DSLContext tx, ManagementCommand.CreateProductFeature command) {
        ProductRecord product = tx.selectFrom(PRODUCT)
                .where(PRODUCT.TENANT_ID.eq(command.tenantId()))
                .and(PRODUCT.ID.eq(command.productId()))
                .fetchOne();
        if (product == null) {
            throw new Refusal(RejectionType.UNKNOWN_PRODUCT);
        }
        if (tx.fetchExists(tx.selectFrom(PRODUCT_FEATURE)
                .where(PRODUCT_FEATURE.PRODUCT_ID.eq(product.getId()))
                .and(PRODUCT_FEATURE.CODE.eq(command.code())))) {
            throw new Refusal(RejectionType.FEATURE_EXISTS);
        }
        FeatureSettings settings = command.settings();
        boolean overages = Boolean.TRUE.equals(settings.allowOverages());
        long id = tx.insertInto(PRODUCT_FEATURE)
                .set(PRODUCT_FEATURE.PRODUCT_ID, product.getId())
                .set(PRODUCT_FEATURE.CODE, command.code())
                .set(PRODUCT_FEATURE.NAME, command.name() != null ? command.name() : command.code())
                .set(
                        PRODUCT_FEATURE.FEATURE_TYPE,
                        command.featureType() != null ? command.featureType() : "consumption")
                .set(PRODUCT_FEATURE.MAX_CONSUMPTION, orZero(settings.maxConsumption()))
                .set(PRODUCT_FEATURE.ALLOW_OVERAGES, overages)
                .set(PRODUCT_FEATURE.MAX_OVERAGES, overages ? orZero(settings.maxOverages()) : 0L)
                .set(
                        PRODUCT_FEATURE.ALLOW_UNLIMITED_CONSUMPTIONS,
                        Boolean.TRUE.equals(settings.allowUnlimitedConsumptions()))
                .set(
                        PRODUCT_FEATURE.ALLOW_NEGATIVE_CONSUMPTIONS,
                        Boolean.TRUE.equals(settings.allowNegativeConsumptions()))
                .set(PRODUCT_FEATURE.RESET_CONSUMPTION, Boolean.TRUE.equals(settings.resetConsumption()))
                .set(PRODUCT_FEATURE.CONSUMPTION_PERIOD, settings.consumptionPeriod())
                .set(
                        PRODUCT_FEATURE.IS_FLOATING_CLOUD,
                        Boolean.TRUE.equals(command.floating().isFloatingCloud()))
                .set(
                        PRODUCT_FEATURE.FLOATING_USERS,
                        orDefault(command.floating().floatingUsers(), 1))
                .set(
                        PRODUCT_FEATURE.FLOATING_TIMEOUT,
                        orDefault(command.floating().floatingTimeout(), DEFAULT_FLOATING_TIMEOUT))
                .returning(PRODUCT_FEATURE.ID)
                .fetchOne(PRODUCT_FEATURE.ID);
        // Every existing license of the product gets its own copy.
        copyFeatures(tx, PRODUCT_FEATURE.ID.eq(id));
        return new CommandResult.FeatureCreated(id);
    }

    private CommandResult createOrder(DSLContext tx, ManagementCommand.CreateOrder command) {
        if (tx.fetchExists(tx.selectFrom(CUSTOMER_ORDER)
                .where(CUSTOMER_ORDER.TENANT_ID.eq(command.tenantId()))
                .and(CUSTOMER_ORDER.ID.eq(command.orderId())))) {
            throw new Refusal(RejectionType.ORDER_ID_EXISTS);
        }
        tx.insertInto(CUSTOMER_ORDER)
                .set(CUSTOMER_ORDER.TENANT_ID, command.tenantId())
                .set(CUSTOMER_ORDER.ID, command.orderId())
                .set(CUSTOMER_ORDER.CUSTOMER_EMAIL, command.customerEmail())
                .set(CUSTOMER_ORDER.CREATED_AT, command.acceptedAt().atOffset(ZoneOffset.UTC))
                .execute();
        List<CommandResult.CreatedLicense> created = new ArrayList<>();
        for (ManagementCommand.OrderItem item : command.items()) {
            ProductRecord product = tx.selectFrom(PRODUCT)
                    .where(PRODUCT.TENANT_ID.eq(command.tenantId()))
                    .and(PRODUCT.SHORT_CODE.eq(item.productCode()))
                    .fetchOne();
            if (product == null) {
                throw new Refusal(RejectionType.UNKNOWN_PRODUCT);
            }
            for (ManagementCommand.LicenseSpec spec : item.licenses()) {
                if (spec.key() != null) {
                    if (tx.fetchExists(tx.selectFrom(LICENSE)
                            .where(LICENSE.PRODUCT_ID.eq(product.getId()))
                            .and(LICENSE.LICENSE_KEY.eq(spec.key())))) {
                        throw new Refusal(RejectionType.LICENSE_EXISTS);
                    }
                    created.add(insertLicense(tx, command, product, spec, spec.key(), null));
                }
                for (ManagementCommand.UserSpec user : spec.users()) {
                    created.add(insertLicense(tx, command, product, spec, null, user));
                }
            }
        }
        return new CommandResult.OrderCreated(command.orderId(), created);
    }

    private CommandResult.CreatedLicense insertLicense(
            DSLContext tx,
            ManagementCommand.CreateOrder order,
            ProductRecord product,
            ManagementCommand.LicenseSpec spec,
            String key,
            ManagementCommand.UserSpec user) {
        FeatureSettings settings = spec.settings();
        boolean overages = settings.allowOverages() != null ? settings.allowOverages() : product.getAllowOverages();
        LicenseRecord row = tx.newRecord(LICENSE);
        row.setTenantId(order.tenantId());
        row.setProductId(product.getId());
        row.setLicenseKey(key);
        row.setUsername(user == null ? null : user.email());
        row.setPasswordHash(
                user == null || user.passwordDigest() == null ? null : PasswordHashing.hash(user.passwordDigest()));
        row.setLicenseType(spec.licenseType() != null ? spec.licenseType() : product.getDefaultLicenseType());
        row.setMaxActivations(spec.maxActivations() != null ? spec.maxActivations() : product.getMaxActivations());
        row.setValidityPeriod(
                spec.validityPeriod() == null ? null : spec.validityPeriod().atOffset(ZoneOffset.UTC));
        row.setMaxConsumptions(
                settings.maxConsumption() != null ? settings.maxConsumption() : product.getMaxConsumptions());
        row.setAllowOverages(overages);
        row.setMaxOverages(
                overages ? (settings.maxOverages() != null ? settings.maxOverages() : product.getMaxOverages()) : 0L);
        row.setAllowUnlimitedConsumptions(
                settings.allowUnlimitedConsumptions() != null
                        ? settings.allowUnlimitedConsumptions()
                        : product.getAllowUnlimitedConsumptions());
        row.setAllowNegativeConsumptions(
                settings.allowNegativeConsumptions() != null
                        ? settings.allowNegativeConsumptions()
                        : product.getAllowNegativeConsumptions());
        row.setResetConsumption(
                settings.resetConsumption() != null ? settings.resetConsumption() : product.getResetConsumption());
        row.setConsumptionPeriod(
                settings.consumptionPeriod() != null ? settings.consumptionPeriod() : product.getConsumptionPeriod());
        FloatingSpec floating = spec.floating();
        row.setIsFloatingCloud(
                floating.isFloatingCloud() != null ? floating.isFloatingCloud() : product.getIsFloatingCloud());
        row.setFloatingUsers(orDefault(floating.floatingUsers(), product.getFloatingUsers()));
        row.setFloatingTimeout(orDefault(floating.floatingTimeout(), product.getFloatingTimeout()));
        row.setCanBorrow(floating.canBorrow() != null ? floating.canBorrow() : product.getCanBorrow());
        row.setMaxBorrowTime(orDefault(floating.maxBorrowTime(), product.getMaxBorrowTime()));
        row.setOrderId(order.orderId());
        row.store();
        copyFeatures(tx, LICENSE.ID.eq(row.getId()));
        return new CommandResult.CreatedLicense(
                row.getId(), product.getShortCode(), row.getLicenseKey(), row.getUsername());
    }

    /** Gives each license that {@code which} selects its own copy of each of its product's features that it selects. */
    private static void copyFeatures(DSLContext tx, org.jooq.Condition which) {
        tx.insertInto(
                        LICENSE_FEATURE,
                        LICENSE_FEATURE.LICENSE_ID,
                        LICENSE_FEATURE.PRODUCT_FEATURE_ID,
                        LICENSE_FEATURE.MAX_CONSUMPTION,
                        LICENSE_FEATURE.ALLOW_OVERAGES,
                        LICENSE_FEATURE.MAX_OVERAGES,
                        LICENSE_FEATURE.ALLOW_UNLIMITED_CONSUMPTIONS,
                        LICENSE_FEATURE.ALLOW_NEGATIVE_CONSUMPTIONS,
                        LICENSE_FEATURE.RESET_CONSUMPTION,
                        LICENSE_FEATURE.CONSUMPTION_PERIOD,
                        LICENSE_FEATURE.IS_FLOATING_CLOUD,
                        LICENSE_FEATURE.FLOATING_USERS,
                        LICENSE_FEATURE.FLOATING_TIMEOUT)
                .select(tx.select(
                                LICENSE.ID,
                                PRODUCT_FEATURE.ID,
                                PRODUCT_FEATURE.MAX_CONSUMPTION,
                                PRODUCT_FEATURE.ALLOW_OVERAGES,
                                PRODUCT_FEATURE.MAX_OVERAGES,
                                PRODUCT_FEATURE.ALLOW_UNLIMITED_CONSUMPTIONS,
                                PRODUCT_FEATURE.ALLOW_NEGATIVE_CONSUMPTIONS,
                                PRODUCT_FEATURE.RESET_CONSUMPTION,
                                PRODUCT_FEATURE.CONSUMPTION_PERIOD,
                                PRODUCT_FEATURE.IS_FLOATING_CLOUD,
                                PRODUCT_FEATURE.FLOATING_USERS,
                                PRODUCT_FEATURE.FLOATING_TIMEOUT)
                        .from(LICENSE)
                        .join(PRODUCT_FEATURE)
                        .on(PRODUCT_FEATURE.PRODUCT_ID.eq(LICENSE.PRODUCT_ID))
                        .where(which))
                .execute();
    }

    /**
     * Outcomes of License API requests only: the endpoint answers holders of a shared key, which end users' apps hold,
     * and a Management API outcome (an order lists every license key it made) is the vendor's alone. A Management API
     * request is answered again by its Idempotency-Key instead.
     */
    private CommandResult lookup(DSLContext tx, ManagementCommand.LookupOutcome command) {
        return tx.select(COMMAND_LEDGER.RESULT)
                .from(COMMAND_LEDGER)
                .where(COMMAND_LEDGER.COMMAND_ID.eq(command.requestId()))
                .and(COMMAND_LEDGER.TENANT_ID.eq(command.tenantId()))
                .and(COMMAND_LEDGER.COMMAND_TYPE.in(LICENSE_API_COMMAND_TYPES))
                .fetchOptional(COMMAND_LEDGER.RESULT)
                .<CommandResult>map(json -> new CommandResult.OutcomeFound(codec.decodeResult(json.data())))
                .orElseGet(CommandResult.OutcomePending::new);
    }

    /** A page of the license's consumption commands from the ledger ({@link io.tally.worker.ledger.Ledger#consumptions}). */
    private CommandResult consumptions(DSLContext tx, ManagementCommand.ListConsumptions command) {
        if (!tx.fetchExists(tx.selectFrom(LICENSE)
                .where(LICENSE.ID.eq(command.licenseId()))
                .and(LICENSE.TENANT_ID.eq(command.tenantId())))) {
            throw new Refusal(RejectionType.NOT_FOUND);
        }
        var page = ledger.consumptions(
                tx,
                command.tenantId(),
                command.licenseId(),
                command.from(),
                command.to(),
                command.beforeRequestId(),
                command.limit(),
                command.offset());
        List<CommandResult.ConsumptionEntry> entries = page.entries().stream()
                .map(entry -> new CommandResult.ConsumptionEntry(
                        entry.commandId(),
                        entry.commandType(),
                        entry.feature(),
                        entry.hardwareId(),
                        entry.consumptions(),
                        entry.outcome(),
                        entry.rejectionCode(),
                        entry.totalBefore(),
                        entry.totalAfter(),
                        entry.acceptedAt(),
                        entry.appliedAt()))
                .toList();
        return new CommandResult.ConsumptionsListed(page.count(), entries);
    }

    private CommandResult resolve(DSLContext tx, ManagementCommand.ResolveLicense command) {
        Long licenseId = command.licenseId() != null
                ? command.licenseId()
                : licenses.licenseOfDevice(tx, command.tenantId(), command.deviceId())
                        .orElse(null);
        if (licenseId == null) {
            throw new Refusal(RejectionType.NOT_FOUND);
        }
        return licenses.refOf(tx, command.tenantId(), licenseId)
                .<CommandResult>map(CommandResult.LicenseResolved::new)
                .orElseThrow(() -> new Refusal(RejectionType.NOT_FOUND));
    }

    /** Ends a command with a refusal and rolls back its savepoint. */
    private static final class Refusal extends RuntimeException {
        private final RejectionType type;

        Refusal(RejectionType type) {
            super(type.code(), null, false, false);
            this.type = type;
        }
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static int orDefault(Integer value, int otherwise) {
        return value == null ? otherwise : value;
    }
}
