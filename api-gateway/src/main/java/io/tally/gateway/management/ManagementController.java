package io.tally.gateway.management;

import io.tally.gateway.api.ApiException;
import io.tally.gateway.api.ApiJson;
import io.tally.gateway.api.RequestIds;
import io.tally.gateway.consumption.Outcomes;
import io.tally.gateway.consumption.Requests;
import io.tally.gateway.validation.InputLimits;
import io.tally.gateway.validation.RequestFields;
import io.tally.protocol.CommandResult;
import io.tally.protocol.CommandSecrets;
import io.tally.protocol.FeatureSettings;
import io.tally.protocol.LicenseChange;
import io.tally.protocol.ManagementCommand;
import io.tally.protocol.TenantCredentials;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The Management API calls needed to set up data. Authenticated with {@code Authorization: Api-Key <management key>};
 * a tenant's key reaches only that tenant's data (another tenant's ids answer 404).
 */
@RestController
class ManagementController {

    private static final List<String> LICENSE_TYPES =
            List.of("perpetual", "time-limited", "subscription", "consumption");
    private static final List<String> PERIODS = List.of("daily", "weekly", "monthly", "annually");

    private final ManagementAuthentication authentication;
    private final Outcomes outcomes;
    private final ApiJson json;
    private final Clock clock;
    private final InputLimits limits;
    private final CommandSecrets secrets;
    private final LicenseChanges licenseChanges;

    ManagementController(
            ManagementAuthentication authentication,
            Outcomes outcomes,
            ApiJson json,
            Clock clock,
            InputLimits limits,
            CommandSecrets secrets,
            LicenseChanges licenseChanges) {
        this.limits = limits;
        this.secrets = secrets;
        this.licenseChanges = licenseChanges;
        this.authentication = authentication;
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
        RequestFields request = RequestFields.ofBody(json.mapper(), body, limits);
        request.require("product_name", "short_code");
        String method = request.text("authorization_method", "license-key");
        if (!method.equals("license-key") && !method.equals("user")) {
            throw invalid("authorization_method", "must be license-key or user");
        }
        String licenseType = request.oneOf("default_license_type", LICENSE_TYPES);
        var command = new ManagementCommand.CreateProduct(
                RequestIds.current(),
                now(),
                tenant.tenantId(),
                Requests.idempotency(
                        json.mapper(), Requests.Api.MANAGEMENT, idempotencyKey, "products", request.root(), limits),
                request.text("product_name", null),
                request.text("short_code", null),
                method,
                licenseType,
                request.int32("max_activations", 0, limits.maxActivations()),
                settings(request, "max_consumptions"),
                FloatingFields.of(request, true));
        return outcomes.send(
                command,
                result -> result instanceof CommandResult.ProductCreated created
                        ? created(withId(request.root(), created.id()))
                        : null);
    }

    @PostMapping("/api/v1/product-features/")
    CompletableFuture<ResponseEntity<byte[]>> createProductFeature(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @RequestBody(required = false) byte[] body) {
        TenantCredentials tenant = authenticate(authorization);
        RequestFields request = RequestFields.ofBody(json.mapper(), body, limits);
        request.require("product", "code", "name");
        String type = request.text("feature_type", "consumption");
        if (!type.equals("activation") && !type.equals("consumption")) {
            throw invalid("feature_type", "must be activation or consumption");
        }
        var command = new ManagementCommand.CreateProductFeature(
                RequestIds.current(),
                now(),
                tenant.tenantId(),
                Requests.idempotency(
                        json.mapper(),
                        Requests.Api.MANAGEMENT,
                        idempotencyKey,
                        "product-features",
                        request.root(),
                        limits),
                request.int64("product", 1, Long.MAX_VALUE),
                request.text("code", null),
                request.text("name", null),
                type,
                settings(request, "max_consumption"),
                FloatingFields.of(request, false));
        return outcomes.send(
                command,
                result -> result instanceof CommandResult.FeatureCreated created
                        ? created(withId(request.root(), created.id()))
                        : null);
    }

    @PostMapping("/api/v1/orders/create_order/")
    CompletableFuture<ResponseEntity<byte[]>> createOrder(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestHeader(value = Requests.IDEMPOTENCY_KEY_HEADER, required = false) String idempotencyKey,
            @RequestBody(required = false) byte[] body) {
        TenantCredentials tenant = authenticate(authorization);
        RequestFields request = RequestFields.ofBody(json.mapper(), body, limits);
        request.require("id", "items");
        JsonNode items = request.array("items", limits.maxOrderLicenses());
        List<ManagementCommand.OrderItem> orderItems = new ArrayList<>();
        int licenseCount = 0;
        int userCount = 0;
        for (JsonNode itemNode : items) {
            RequestFields item = object("items[]", itemNode).require("product_code", "licenses");
            JsonNode licenseNodes = item.array("licenses", limits.maxOrderLicenses());
            licenseCount += licenseNodes.size();
            if (licenseCount > limits.maxOrderLicenses()) {
                // Its answer lists every license: bounded, so that it always fits one reply.
                throw invalid("items", "an order holds at most " + limits.maxOrderLicenses() + " licenses");
            }
            List<ManagementCommand.LicenseSpec> licenses = new ArrayList<>();
            for (JsonNode license : licenseNodes) {
                licenses.add(licenseSpec(object("licenses[]", license)));
                userCount += licenses.getLast().users().size();
                if (userCount > limits.maxOrderUsers()) {
                    throw invalid("items", "an order holds at most " + limits.maxOrderUsers() + " users");
                }
            }
            orderItems.add(new ManagementCommand.OrderItem(item.text("product_code"), licenses));
        }
        RequestFields customer = request.object("customer");
        var command = new ManagementCommand.CreateOrder(
                RequestIds.current(),
                now(),
                tenant.tenantId(),
                Requests.idempotency(
                        json.mapper(), Requests.Api.MANAGEMENT, idempotencyKey, "create_order", request.root(), limits),
                request.text("id", null),
                customer == null ? null : customer.text("email"),
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
        RequestFields request = RequestFields.ofBody(json.mapper(), body, limits);
        request.require("license", "product_feature");
        long licenseId = request.int64("license", 1, Long.MAX_VALUE);
        long productFeatureId = request.int64("product_feature", 1, Long.MAX_VALUE);
        FeatureSettings settings = settings(request, "max_consumption");
        var idempotency = Requests.idempotency(
                json.mapper(),
                Requests.Api.MANAGEMENT,
                idempotencyKey,
                "license-product-features",
                request.root(),
                limits);
        return licenseChanges.send(
                tenant,
                licenseId,
                idempotency,
                new LicenseChange.OverrideFeature(productFeatureId, settings),
                result -> result instanceof CommandResult.LicenseChecked checked ? created(checked.license()) : null);
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

    private ManagementCommand.LicenseSpec licenseSpec(RequestFields license) {
        String key = license.text("key");
        List<ManagementCommand.UserSpec> users = new ArrayList<>();
        JsonNode userNodes = license.array("users", limits.maxLicenseUsers());
        if (userNodes != null) {
            for (JsonNode userNode : userNodes) {
                RequestFields user = object("users[]", userNode).require("email", "password");
                String email = user.text("email");
                users.add(new ManagementCommand.UserSpec(
                        email, null, secrets.sealPassword(RequestIds.current(), email, user.text("password"))));
            }
        }
        if ((key == null) == users.isEmpty()) {
            throw invalid("licenses", "each license needs a key (license-key products) or users (user products)");
        }
        return new ManagementCommand.LicenseSpec(
                key,
                users,
                license.oneOf("license_type", LICENSE_TYPES),
                license.int32("max_activations", 0, limits.maxActivations()),
                license.instant("validity_period"),
                settings(license, "max_consumptions"),
                FloatingFields.of(license, true));
    }

    private FeatureSettings settings(RequestFields node, String maxField) {
        return new FeatureSettings(
                node.limit(maxField),
                node.bool("allow_overages"),
                node.limit("max_overages"),
                node.bool("allow_unlimited_consumptions"),
                node.bool("allow_negative_consumptions"),
                node.bool("reset_consumption"),
                node.oneOf("consumption_period", PERIODS));
    }

    /** An element of an array that must be an object. */
    private RequestFields object(String path, JsonNode node) {
        if (!node.isObject()) {
            throw invalid(path, "must be an object");
        }
        return RequestFields.ofNode(node, limits);
    }

    private TenantCredentials authenticate(String authorization) {
        return authentication.authenticate(authorization);
    }

    private static ApiException invalid(String field, String why) {
        return RequestFields.invalid(field, why);
    }

    private Instant now() {
        return clock.instant();
    }
}
