package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * The closed set of refusals the worker can decide, with the License API's code, message and HTTP status for each.
 * License API refusals are listed in the order their checks run: the first failing check wins.
 */
public enum RejectionType {
    UNKNOWN_PRODUCT("unknown_product", "Provided product was not found"),
    LICENSE_NOT_FOUND("license_not_found", "License with the provided license user not found"),
    INVALID_PASSWORD("invalid_password", "Provided password is not valid"),
    LICENSE_NOT_ENABLED("license_not_enabled", "The license is not enabled"),
    LICENSE_NOT_ACTIVE("license_not_active", "The license is not active"),
    LICENSE_NOT_CONSUMPTION("license_not_consumption", "The license needs to be of consumption type"),
    UNSUPPORTED_PRODUCT_FEATURE(
            "unsupported_product_feature",
            "One or more of requested product features do not exists or they are not enabled on the product"),
    INVALID_LICENSE_FEATURE_CODE("invalid_license_feature_code", "Provided feature code is not valid"),
    BLACKLISTED("blacklisted", "This device is blacklisted"),
    DEVICE_NOT_FOUND("device_not_found", "An active device matching the hardware_id not found"),
    LICENSE_ACTIVATED_MAX_TIMES("license_activated_max_times", "License has reached its maximum number of activations"),
    NEGATIVE_CONSUMPTIONS_NOT_ALLOWED("negative_consumptions_not_allowed", "Negative consumptions not allowed"),
    LICENSE_NOT_ENOUGH_CONSUMPTIONS("license_not_enough_consumptions", "Not enough consumptions left"),
    FEATURE_NOT_ENOUGH_CONSUMPTIONS("feature_not_enough_consumptions", "Not enough consumptions left"),
    FLOATING_NOT_AVAILABLE("floating_not_available", "No available slots for floating license"),
    LICENSE_BORROW_NOT_ALLOWED("license_borrow_not_allowed", "License does not allow borrowing"),
    BORROW_UNTIL_NOT_VALID("borrow_until_not_valid", "Borrow until field is not valid"),
    FEATURE_NOT_FLOATING("feature_not_floating", "License feature is not floating cloud feature."),
    FLOATING_FEATURE_DEVICE_NOT_IN_USE("floating_feature_device_not_in_use", "Floating feature device is not in use"),
    IDEMPOTENCY_KEY_REUSED(
            "idempotency_key_reused", "This Idempotency-Key was already used with a different request", 422),
    ORDER_ID_EXISTS("order_id_exists", "An order with this id already exists", 409),
    PRODUCT_EXISTS("product_exists", "A product with this short code already exists", 409),
    LICENSE_EXISTS("license_exists", "A license with this key already exists for the product", 409),
    FEATURE_EXISTS("feature_exists", "A feature with this code already exists for the product", 409),
    NOT_FOUND("not_found", "Not found", 404),
    /**
     * The worker could not apply the command because of a value in it (one PostgreSQL cannot store, or an answer too
     * large to send); decided by the worker when it isolated the command, never by a business rule.
     */
    VALIDATION_ERROR("validation_error", "A value in the request cannot be stored or answered"),
    /** The worker could not apply the command for a reason of its own; isolated, dead-lettered, nothing changed. */
    INTERNAL_ERROR("internal_error", "The request could not be applied; nothing changed", 500);

    private final String code;
    private final String message;
    private final int status;

    RejectionType(String code, String message) {
        this(code, message, 400);
    }

    RejectionType(String code, String message, int status) {
        this.code = code;
        this.message = message;
        this.status = status;
    }

    /** The error code on the wire, e.g. {@code license_not_enough_consumptions}. */
    @JsonValue
    public String code() {
        return code;
    }

    /** The default message for this code. */
    public String message() {
        return message;
    }

    /** The HTTP status the gateway answers with. */
    public int status() {
        return status;
    }

    /** Whether the worker gave this refusal to a command it could not apply (and dead-lettered it). */
    public boolean isolated() {
        return this == VALIDATION_ERROR || this == INTERNAL_ERROR;
    }

    @JsonCreator
    public static RejectionType fromCode(String code) {
        return Arrays.stream(values())
                .filter(type -> type.code.equals(code))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown rejection code " + code));
    }
}
