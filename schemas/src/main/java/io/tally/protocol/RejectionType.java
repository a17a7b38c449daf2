package io.tally.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * The closed set of business refusals the worker can decide, with the License API's code and message for each. Listed
 * in the order the checks run: the first failing check wins.
 */
public enum RejectionType {
    UNKNOWN_PRODUCT("unknown_product", "Provided product was not found"),
    LICENSE_NOT_FOUND("license_not_found", "License with the provided license user not found"),
    LICENSE_NOT_ENABLED("license_not_enabled", "The license is not enabled"),
    LICENSE_NOT_ACTIVE("license_not_active", "The license is not active"),
    LICENSE_NOT_CONSUMPTION("license_not_consumption", "The license needs to be of consumption type"),
    BLACKLISTED("blacklisted", "This device is blacklisted"),
    DEVICE_NOT_FOUND("device_not_found", "An active device matching the hardware_id not found"),
    NEGATIVE_CONSUMPTIONS_NOT_ALLOWED("negative_consumptions_not_allowed", "Negative consumptions not allowed"),
    LICENSE_NOT_ENOUGH_CONSUMPTIONS("license_not_enough_consumptions", "Not enough consumptions left");

    private final String code;
    private final String message;

    RejectionType(String code, String message) {
        this.code = code;
        this.message = message;
    }

    /** The License API error code, e.g. {@code license_not_enough_consumptions}. */
    @JsonValue
    public String code() {
        return code;
    }

    /** The License API error message for this code. */
    public String message() {
        return message;
    }

    @JsonCreator
    public static RejectionType fromCode(String code) {
        return Arrays.stream(values())
                .filter(type -> type.code.equals(code))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown rejection code " + code));
    }
}
