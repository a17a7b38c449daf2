package io.tally.gateway.signing;

import io.tally.gateway.api.ApiException;
import io.tally.gateway.tenant.TenantKeys;
import io.tally.protocol.TenantCredentials;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v4/public_key?apikey=...}: the PEM public key that verifies a tenant's {@code LicenseSignature} and
 * {@code license_signature}. Needs no signature: the key is public.
 */
@RestController
class PublicKeyController {

    private final TenantKeys tenants;

    PublicKeyController(TenantKeys tenants) {
        this.tenants = tenants;
    }

    @GetMapping("/api/v4/public_key")
    ResponseEntity<String> publicKey(@RequestParam(value = "apikey", required = false) String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            throw ApiException.badRequest("missing_parameters", "Missing parameters: apikey");
        }
        TenantCredentials tenant = tenants.byApiKey(apiKey)
                .orElseThrow(() -> ApiException.badRequest("invalid_api_key", "Invalid API key"));
        if (tenant.responsePublicKey() == null) {
            throw ApiException.badRequest("invalid_api_key", "No response-signing key for this API key");
        }
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType("application/x-pem-file"))
                .body(tenant.responsePublicKey());
    }
}
