package io.tally.gateway.management;

import io.tally.gateway.api.ApiError;
import io.tally.gateway.api.ApiException;
import io.tally.gateway.api.ApiJson;
import io.tally.gateway.api.RequestIds;
import io.tally.gateway.consumption.Outcomes;
import io.tally.gateway.consumption.Requests;
import io.tally.gateway.tenant.TenantKeys;
import io.tally.protocol.Command;
import io.tally.protocol.CommandResult;
import io.tally.protocol.FeatureSettings;
import io.tally.protocol.LicenseChange;
import io.tally.protocol.LicenseCommand;
import io.tally.protocol.LicenseRef;
import io.tally.protocol.ManagementCommand;
import io.tally.protocol.TenantCredentials;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The Management API calls needed to set up data. Authenticated with {@code Authorization: Api-Key <management key>};
 * a tenant's key reaches only that tenant's data (another tenant's ids answer 404).
 */
@RestController
class ManagementController {

    private static final Set<String> LICENSE_TYPES = Set.of("perpetual", "time-limited", "subscription", "consumption");
    private static final Set<String> PERIODS = Set.of("daily", "weekly", "monthly", "annually");

    private final TenantKeys tenants;
    private final Outcomes outcomes;
    private final ApiJson json;
    private final Clock clock;
    private final io.tally.gateway.tenant.TenantRateLimits rateLimits;

    ManagementController(
            TenantKeys tenants,
            Outcomes outcomes,
            ApiJson json,
            Clock clock,
            io.tally.gateway.tenant.TenantRateLimits rateLimits) {
        this.rateLimits = rateLimits;
        this.tenants = tenants;
        this.outcomes = outcomes;
        this.json = json;
        this.clock = clock;
    }

    @PostMapping("/api/v1/products/")
    CompletableFuture<ResponseEntity<byte[]>> createProduct(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @RequestBody(required = false) byte[] body) {
        TenantCredentials tenant = authenticate(authorization);
        JsonNode request = object(body);
        require(request, "product_name", "short_code");
        String method = text(request, "authorization_method", "license-key");
        if (!method.equals("license-key") && !method.equals("user")) {
            throw invalid("authorization_method", "must be license-key or user");
        }
        String licenseType = licenseType(request, "default_license_type");
        var command = new ManagementCommand.CreateProduct(
                RequestIds.current(),
                now(),
                tenant.tenantId(),
                Requests.idempotency(json.mapper(), idempotencyKey, "products", request),
                text(request, "product_name", null),
                text(request, "short_code", null),
                method,
                licenseType,
                int32(request, "max_activations"),
                settings(request, "max_consumptions"));
        return outcomes.send(
                command,
                result -> result instanceof CommandResult.ProductCreated created
                        ? created(withId(request, created.id()))
                        : null);
    }

    @PostMapping("/api/v1/product-features/")
    CompletableFuture<ResponseEntity<byte[]>> createProductFeature(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @RequestBody(required = false) byte[] body) {
        TenantCredentials tenant = authenticate(authorization);
        JsonNode request = object(body);
        require(request, "product", "code", "name");
        String type = text(request, "feature_type", "consumption");
        if (!type.equals("activation") && !type.equals("consumption")) {
            throw invalid("feature_type", "must be activation or consumption");
        }
        var command = new ManagementCommand.CreateProductFeature(
                RequestIds.current(),
                now(),
                tenant.tenantId(),
                Requests.idempotency(json.mapper(), idempotencyKey, "product-features", request),
                int64(request, "product"),
                text(request, "code", null),
                text(request, "name", null),
                type,
                settings(request, "max_consumption"));
        return outcomes.send(
                command,
                result -> result instanceof CommandResult.FeatureCreated created
                        ? created(withId(request, created.id()))
                        : null);
    }

    @PostMapping("/api/v1/orders/create_order/")
    CompletableFuture<ResponseEntity<byte[]>> createOrder(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @RequestBody(required = false) byte[] body) {
        TenantCredentials tenant = authenticate(authorization);
        JsonNode request = object(body);
        require(request, "id", "items");
        JsonNode items = request.get("items");
        if (!items.isArray() || items.isEmpty()) {
            throw invalid("items", "must be a non-empty array");
        }
        List<ManagementCommand.OrderItem> orderItems = new ArrayList<>();
        for (JsonNode item : items) {
            require(item, "product_code", "licenses");
            if (!item.get("licenses").isArray()) {
                throw invalid("licenses", "must be an array");
            }
            List<ManagementCommand.LicenseSpec> licenses = new ArrayList<>();
            for (JsonNode license : item.get("licenses")) {
                licenses.add(licenseSpec(license));
            }
            orderItems.add(new ManagementCommand.OrderItem(text(item, "product_code", null), licenses));
        }
        JsonNode customer = request.get("customer");
        var command = new ManagementCommand.CreateOrder(
                RequestIds.current(),
                now(),
                tenant.tenantId(),
                Requests.idempotency(json.mapper(), idempotencyKey, "create_order", request),
                text(request, "id", null),
                customer != null && customer.isObject() ? text(customer, "email", null) : null,
                orderItems);
        return outcomes.send(command, result -> {
            if (!(result instanceof CommandResult.OrderCreated created)) {
                return null;
            }
            List<Map<String, Object>> licenses = new ArrayList<>();
            for (CommandResult.CreatedLicense license : created.licenses()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("id", license.id());
                entry.put("product", license.product());
                if (license.licenseKey() != null) {
                    entry.put("license_key", license.licenseKey());
                } else {
                    entry.put("username", license.username());
                }
                licenses.add(entry);
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("id", created.orderId());
            answer.put("licenses", licenses);
            return created(answer);
        });
    }

    @PostMapping("/api/v1/license-product-features/")
    CompletableFuture<ResponseEntity<byte[]>> overrideFeature(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @RequestBody(required = false) byte[] body) {
        TenantCredentials tenant = authenticate(authorization);
        JsonNode request = object(body);
        require(request, "license", "product_feature");
        long licenseId = int64(request, "license");
        long productFeatureId = int64(request, "product_feature");
        FeatureSettings settings = settings(request, "max_consumption");
        var idempotency = Requests.idempotency(json.mapper(), idempotencyKey, "license-product-features", request);
        return changeLicense(
                tenant,
                licenseId,
                idempotency,
                new LicenseChange.OverrideFeature(productFeatureId, settings),
                result -> result instanceof CommandResult.LicenseChecked checked ? created(checked.license()) : null);
    }

    @GetMapping("/api/v1/licenses/{id}/")
    CompletableFuture<ResponseEntity<byte[]>> getLicense(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @PathVariable("id") long id) {
        TenantCredentials tenant = authenticate(authorization);
        return changeLicense(tenant, id, null, new LicenseChange.Read(), this::licenseBody);
    }

    /**
     * A license's usage history from the ledger: its consumption requests, applied or refused, newest first, paged
     * with {@code limit} (1-500, default 50) and {@code offset}; {@code from} (inclusive) and {@code to} (exclusive)
     * bound the requests' accepted-at, as ISO-8601 dates or date-times.
     */
    @GetMapping("/api/v1/licenses/{id}/consumptions/")
    CompletableFuture<ResponseEntity<byte[]>> consumptions(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @PathVariable("id") long id,
            @org.springframework.web.bind.annotation.RequestParam(value = "from", required = false) String from,
            @org.springframework.web.bind.annotation.RequestParam(value = "to", required = false) String to,
            @org.springframework.web.bind.annotation.RequestParam(value = "limit", required = false) String limit,
            @org.springframework.web.bind.annotation.RequestParam(value = "offset", required = false) String offset) {
        TenantCredentials tenant = authenticate(authorization);
        Instant fromAt = instantParameter("from", from);
        Instant toAt = instantParameter("to", to);
        if (fromAt != null && toAt != null && !fromAt.isBefore(toAt)) {
            throw invalid("to", "must be later than from");
        }
        int pageSize = intParameter("limit", limit, DEFAULT_PAGE, 1, MAX_PAGE);
        int skip = intParameter("offset", offset, 0, 0, Integer.MAX_VALUE);
        var command = new ManagementCommand.ListConsumptions(
                RequestIds.current(), now(), tenant.tenantId(), null, id, fromAt, toAt, pageSize, skip);
        return outcomes.send(
                command,
                result -> result instanceof CommandResult.ConsumptionsListed listed
                        ? json.respond(200, consumptionPage(listed, id, from, to, pageSize, skip))
                        : null);
    }

    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_PAGE = 500;

    /** The page in the shape of the Management API's lists: count, next, previous, results. */
    private static Map<String, Object> consumptionPage(
            CommandResult.ConsumptionsListed listed, long id, String from, String to, int limit, int offset) {
        List<Map<String, Object>> results = new ArrayList<>();
        for (CommandResult.ConsumptionEntry entry : listed.entries()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("request_id", entry.requestId().toString());
            item.put("type", entry.type());
            item.put("feature", entry.feature());
            item.put("hardware_id", entry.hardwareId());
            item.put("consumptions", entry.consumptions());
            item.put("outcome", entry.outcome());
            item.put("code", entry.code());
            item.put("total_before", entry.totalBefore());
            item.put("total_after", entry.totalAfter());
            item.put("accepted_at", entry.acceptedAt().toString());
            item.put("applied_at", entry.appliedAt().toString());
            results.add(item);
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("count", listed.count());
        page.put("next", offset + limit < listed.count() ? pageUrl(id, from, to, limit, offset + limit) : null);
        page.put("previous", offset > 0 ? pageUrl(id, from, to, limit, Math.max(0, offset - limit)) : null);
        page.put("results", results);
        return page;
    }

    private static String pageUrl(long id, String from, String to, int limit, int offset) {
        StringBuilder url =
                new StringBuilder("/api/v1/licenses/" + id + "/consumptions/?limit=" + limit + "&offset=" + offset);
        if (from != null) {
            url.append("&from=").append(java.net.URLEncoder.encode(from, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (to != null) {
            url.append("&to=").append(java.net.URLEncoder.encode(to, java.nio.charset.StandardCharsets.UTF_8));
        }
        return url.toString();
    }

    /** An ISO-8601 date-time with offset, or a date (its start, UTC); {@code null} when absent. */
    private static Instant instantParameter(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return value.length() == 10
                    ? java.time.LocalDate.parse(value)
                            .atStartOfDay(java.time.ZoneOffset.UTC)
                            .toInstant()
                    : java.time.OffsetDateTime.parse(value).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw invalid(
                    name, "must be an ISO-8601 date (2026-11-28) or date-time with offset (2026-11-28T10:00:00Z)");
        }
    }

    private static int intParameter(String name, String value, int absent, int min, int max) {
        if (value == null || value.isEmpty()) {
            return absent;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw invalid(name, "must be a whole number from " + min + " to " + max);
    }

    @PostMapping("/api/v1/licenses/{id}/reset_consumption")
    CompletableFuture<ResponseEntity<byte[]>> resetConsumption(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @PathVariable("id") long id) {
        TenantCredentials tenant = authenticate(authorization);
        return changeLicense(
                tenant,
                id,
                Requests.idempotency(json.mapper(), idempotencyKey, "reset_consumption/" + id, null),
                new LicenseChange.ResetConsumption(),
                result -> result instanceof CommandResult.LicenseChecked
                        ? json.respond(200, Map.of("message", "License consumption reset."))
                        : null);
    }

    @PostMapping("/api/v1/licenses/{id}/disable/")
    CompletableFuture<ResponseEntity<byte[]>> disable(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @PathVariable("id") long id) {
        TenantCredentials tenant = authenticate(authorization);
        return changeLicense(
                tenant,
                id,
                Requests.idempotency(json.mapper(), idempotencyKey, "disable/" + id, null),
                new LicenseChange.SetEnabled(false),
                this::licenseBody);
    }

    @PostMapping("/api/v1/licenses/{id}/enable/")
    CompletableFuture<ResponseEntity<byte[]>> enable(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @PathVariable("id") long id) {
        TenantCredentials tenant = authenticate(authorization);
        return changeLicense(
                tenant,
                id,
                Requests.idempotency(json.mapper(), idempotencyKey, "enable/" + id, null),
                new LicenseChange.SetEnabled(true),
                this::licenseBody);
    }

    @PostMapping("/api/v1/devices/{id}/blacklist/")
    CompletableFuture<ResponseEntity<byte[]>> blacklist(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @PathVariable("id") long deviceId) {
        TenantCredentials tenant = authenticate(authorization);
        Instant at = now();
        UUID requestId = RequestIds.current();
        var resolve =
                new ManagementCommand.ResolveLicense(UUID.randomUUID(), at, tenant.tenantId(), null, null, deviceId);
        var idempotency = Requests.idempotency(json.mapper(), idempotencyKey, "blacklist/" + deviceId, null);
        return outcomes.sendResolved(
                resolve,
                ref -> new LicenseCommand.ChangeLicense(
                        requestId,
                        at,
                        tenant.tenantId(),
                        idempotency,
                        ref,
                        "",
                        new LicenseChange.BlacklistDevice(deviceId)),
                result -> result instanceof CommandResult.LicenseChecked
                        ? json.respond(200, Map.of("message", "Device blacklisted."))
                        : null);
    }

    private CompletableFuture<ResponseEntity<byte[]>> changeLicense(
            TenantCredentials tenant,
            long licenseId,
            Command.Idempotency idempotency,
            LicenseChange change,
            java.util.function.Function<CommandResult, ResponseEntity<byte[]>> success) {
        Instant at = now();
        UUID requestId = RequestIds.current();
        var resolve =
                new ManagementCommand.ResolveLicense(UUID.randomUUID(), at, tenant.tenantId(), null, licenseId, null);
        return outcomes.sendResolved(
                resolve,
                (LicenseRef ref) -> new LicenseCommand.ChangeLicense(
                        requestId, at, tenant.tenantId(), idempotency, ref, "", change),
                success);
    }

    private ResponseEntity<byte[]> licenseBody(CommandResult result) {
        if (!(result instanceof CommandResult.LicenseChecked checked)) {
            return null;
        }
        return json.respond(200, checked.license());
    }

    private ResponseEntity<byte[]> created(Object body) {
        return ResponseEntity.status(201)
                .contentType(MediaType.APPLICATION_JSON)
                .body(json.mapper().writeValueAsBytes(body));
    }

    private Map<String, Object> withId(JsonNode request, long id) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id);
        request.properties().forEach(field -> answer.put(field.getKey(), field.getValue()));
        return answer;
    }

    private ManagementCommand.LicenseSpec licenseSpec(JsonNode license) {
        String key = text(license, "key", null);
        List<ManagementCommand.UserSpec> users = new ArrayList<>();
        JsonNode userNodes = license.get("users");
        if (userNodes != null && !userNodes.isNull()) {
            if (!userNodes.isArray()) {
                throw invalid("users", "must be an array");
            }
            for (JsonNode user : userNodes) {
                require(user, "email", "password");
                String email = text(user, "email", null);
                users.add(new ManagementCommand.UserSpec(
                        email, Requests.passwordDigest(email, text(user, "password", null))));
            }
        }
        if ((key == null) == users.isEmpty()) {
            throw invalid("licenses", "each license needs a key (license-key products) or users (user products)");
        }
        Instant validity = null;
        String validityText = text(license, "validity_period", null);
        if (validityText != null) {
            try {
                validity = validityText.length() == 10
                        ? java.time.LocalDate.parse(validityText)
                                .atStartOfDay(java.time.ZoneOffset.UTC)
                                .toInstant()
                        : Instant.parse(validityText);
            } catch (DateTimeParseException e) {
                throw invalid("validity_period", "must be an ISO-8601 date or time");
            }
        }
        return new ManagementCommand.LicenseSpec(
                key,
                users,
                licenseType(license, "license_type"),
                int32(license, "max_activations"),
                validity,
                settings(license, "max_consumptions"));
    }

    private FeatureSettings settings(JsonNode node, String maxField) {
        String period = text(node, "consumption_period", null);
        if (period != null && !PERIODS.contains(period)) {
            throw invalid("consumption_period", "must be one of daily, weekly, monthly, annually");
        }
        Long max = int64(node, maxField);
        Long maxOverages = int64(node, "max_overages");
        if ((max != null && max < 0) || (maxOverages != null && maxOverages < 0)) {
            throw invalid(max != null && max < 0 ? maxField : "max_overages", "must not be negative");
        }
        return new FeatureSettings(
                max,
                bool(node, "allow_overages"),
                maxOverages,
                bool(node, "allow_unlimited_consumptions"),
                bool(node, "allow_negative_consumptions"),
                bool(node, "reset_consumption"),
                period);
    }

    private String licenseType(JsonNode node, String field) {
        String type = text(node, field, null);
        if (type != null && !LICENSE_TYPES.contains(type)) {
            throw invalid(field, "must be one of perpetual, time-limited, subscription, consumption");
        }
        return type;
    }

    private TenantCredentials authenticate(String authorization) {
        if (authorization == null || !authorization.startsWith("Api-Key ")) {
            throw new ApiException(
                    new ApiError(401, "not_authenticated", "Authorization: Api-Key <management key> is required"));
        }
        TenantCredentials tenant = tenants.byManagementKey(
                        authorization.substring("Api-Key ".length()).trim())
                .orElseThrow(
                        () -> new ApiException(new ApiError(401, "invalid_management_key", "Invalid management key")));
        rateLimits.admit(tenant.tenantId());
        return tenant;
    }

    private JsonNode object(byte[] body) {
        try {
            JsonNode root =
                    body == null || body.length == 0 ? null : json.mapper().readTree(body);
            if (root == null || !root.isObject()) {
                throw ApiException.badRequest("invalid_json", "Request body must be a JSON object");
            }
            return root;
        } catch (JacksonException e) {
            throw ApiException.badRequest("invalid_json", "Request body is not valid JSON");
        }
    }

    private static void require(JsonNode node, String... fields) {
        List<String> missing = new ArrayList<>();
        for (String field : fields) {
            if (node.get(field) == null || node.get(field).isNull()) {
                missing.add(field);
            }
        }
        if (!missing.isEmpty()) {
            throw ApiException.badRequest("missing_parameters", "Missing parameters: " + String.join(", ", missing));
        }
    }

    private static String text(JsonNode node, String field, String otherwise) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return otherwise;
        }
        if (!value.isString() || value.asString().isBlank()) {
            throw invalid(field, "must be a non-empty string");
        }
        if (value.asString().length() > 255 || value.asString().chars().anyMatch(c -> c < 0x20)) {
            throw invalid(field, "must be at most 255 characters without control characters");
        }
        return value.asString();
    }

    private static Long int64(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw invalid(field, "must be an integer");
        }
        return value.longValue();
    }

    private static Integer int32(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
            throw invalid(field, "must be a non-negative 32-bit integer");
        }
        return value.intValue();
    }

    private static Boolean bool(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw invalid(field, "must be a boolean");
        }
        return value.booleanValue();
    }

    private static ApiException invalid(String field, String why) {
        return ApiException.badRequest("validation_error", field + ": " + why);
    }

    private Instant now() {
        return clock.instant();
    }
}
