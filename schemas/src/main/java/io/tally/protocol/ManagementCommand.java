package io.tally.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** A Management API command that is not about one existing license. */
public sealed interface ManagementCommand extends Command {

    /**
     * {@code POST /api/v1/products/}.
     *
     * @param authorizationMethod {@code license-key} or {@code user}
     * @param defaults settings new licenses of the product take unless their order says otherwise
     */
    record CreateProduct(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            String productName,
            String shortCode,
            String authorizationMethod,
            String defaultLicenseType,
            Integer maxActivations,
            FeatureSettings defaults,
            FloatingSpec floating)
            implements ManagementCommand {
        public CreateProduct {
            Objects.requireNonNull(shortCode, "shortCode");
            Objects.requireNonNull(defaults, "defaults");
            floating = floating == null ? FloatingSpec.none() : floating;
        }

        @Override
        public String partitionKey() {
            return tenantId + "/" + shortCode;
        }
    }

    /** {@code POST /api/v1/product-features/}: also copied to every existing license of the product. */
    record CreateProductFeature(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            long productId,
            String code,
            String name,
            String featureType,
            FeatureSettings settings,
            FloatingSpec floating)
            implements ManagementCommand {
        public CreateProductFeature {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(settings, "settings");
            floating = floating == null ? FloatingSpec.none() : floating;
        }

        @Override
        public String partitionKey() {
            return tenantId + "/product-id/" + productId;
        }
    }

    /** {@code POST /api/v1/orders/create_order/}: creates every license of the order, or none. */
    record CreateOrder(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            String orderId,
            String customerEmail,
            List<OrderItem> items)
            implements ManagementCommand {
        public CreateOrder {
            Objects.requireNonNull(orderId, "orderId");
            items = List.copyOf(items);
        }

        @Override
        public String partitionKey() {
            return tenantId + "/order/" + orderId;
        }
    }

    /** One product's licenses in an order. */
    record OrderItem(String productCode, List<LicenseSpec> licenses) {
        public OrderItem {
            Objects.requireNonNull(productCode, "productCode");
            licenses = List.copyOf(licenses);
        }
    }

    /**
     * One license to create: {@code key} for key-based products, or one license per entry of {@code users} for
     * user-based products (a user-based license has exactly one user).
     *
     * @param settings {@code null} fields take the product's defaults
     * @param validityPeriod end of validity for time-limited and subscription licenses, or {@code null}
     */
    record LicenseSpec(
            String key,
            List<UserSpec> users,
            String licenseType,
            Integer maxActivations,
            Instant validityPeriod,
            FeatureSettings settings,
            FloatingSpec floating) {
        public LicenseSpec {
            users = users == null ? List.of() : List.copyOf(users);
            settings = settings == null ? FeatureSettings.none() : settings;
            floating = floating == null ? FloatingSpec.none() : floating;
        }

        /** A license that takes the product's floating settings. */
        public LicenseSpec(
                String key,
                List<UserSpec> users,
                String licenseType,
                Integer maxActivations,
                Instant validityPeriod,
                FeatureSettings settings) {
            this(key, users, licenseType, maxActivations, validityPeriod, settings, FloatingSpec.none());
        }
    }

    /**
     * @param passwordDigest base64 SHA-256 of {@code email + ":" + password}, once the worker has opened
     *     {@code passwordSealed} (gateways no longer send it)
     * @param passwordSealed the digest sealed by the gateway ({@link CommandSecrets})
     */
    record UserSpec(String email, String passwordDigest, String passwordSealed) {

        /** A user with the password's digest at hand. */
        public UserSpec(String email, String passwordDigest) {
            this(email, passwordDigest, null);
        }
    }

    /**
     * Finds the license a Management API path names by id ({@code licenseId}, or the license of {@code deviceId}), so
     * that the change itself can travel that license's partition.
     */
    record ResolveLicense(
            UUID commandId, Instant acceptedAt, String tenantId, Idempotency idempotency, Long licenseId, Long deviceId)
            implements ManagementCommand {
        public ResolveLicense {
            if ((licenseId == null) == (deviceId == null)) {
                throw new IllegalArgumentException("exactly one of licenseId and deviceId");
            }
        }

        @Override
        public String partitionKey() {
            return tenantId + (licenseId != null ? "/license-id/" + licenseId : "/device-id/" + deviceId);
        }
    }

    /**
     * {@code GET /api/v4/requests/{id}}: the outcome of an earlier License API request of the same tenant, from the
     * ledger (never a Management API one: the caller holds only a shared key). Keyed by
     * the request id; it reads committed state, so a request still in flight on its own partition shows as pending.
     */
    record LookupOutcome(UUID commandId, Instant acceptedAt, String tenantId, Idempotency idempotency, UUID requestId)
            implements ManagementCommand {
        public LookupOutcome {
            Objects.requireNonNull(requestId, "requestId");
        }

        @Override
        public String partitionKey() {
            return tenantId + "/request/" + requestId;
        }
    }

    /**
     * {@code GET /api/v1/licenses/{id}/consumptions/}: a license's usage history from the ledger, newest first.
     *
     * @param from earliest accepted-at included, or {@code null}
     * @param to accepted-at before which entries are included (exclusive), or {@code null}
     * @param limit entries per page
     * @param offset entries skipped, newest first
     */
    record ListConsumptions(
            UUID commandId,
            Instant acceptedAt,
            String tenantId,
            Idempotency idempotency,
            long licenseId,
            Instant from,
            Instant to,
            int limit,
            int offset,
            UUID beforeRequestId)
            implements ManagementCommand {
        /**
         * @param beforeRequestId with {@code to}, a keyset cursor: entries accepted exactly at {@code to} are included
         *     when their request id sorts below this one (the page after one ending with that entry); {@code null}
         *     for none
         */
        public ListConsumptions {
            if (limit < 1 || offset < 0) {
                throw new IllegalArgumentException("limit must be positive and offset not negative");
            }
            if (beforeRequestId != null && to == null) {
                throw new IllegalArgumentException("a cursor (beforeRequestId) needs to");
            }
        }

        @Override
        public String partitionKey() {
            return tenantId + "/license-id/" + licenseId;
        }
    }
}
