package io.tally.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls the License API with signed requests: a {@code Date} header and
 * {@code Authorization: algorithm="hmac-sha256",headers="date",signature="...",apikey="..."}, where the signature is
 * {@code base64(HMAC-SHA256(sharedKey, "licenseSpring\ndate: " + Date))}. Thread-safe.
 */
public final class LicenseApiClient {

    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME;

    private final URI baseUrl;
    private final String apiKey;
    private final String sharedKey;
    private final HttpClient http;
    private final Clock clock;
    private final JsonMapper json = JsonMapper.builder().build();

    /** A response as received. */
    public record Response(int status, String body, Map<String, java.util.List<String>> headers) {}

    public LicenseApiClient(URI baseUrl, String apiKey, String sharedKey) {
        this(
                baseUrl,
                apiKey,
                sharedKey,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
                Clock.systemUTC());
    }

    public LicenseApiClient(URI baseUrl, String apiKey, String sharedKey, HttpClient http, Clock clock) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.sharedKey = sharedKey;
        this.http = http;
        this.clock = clock;
    }

    /** The API key requests are signed for. */
    public String apiKey() {
        return apiKey;
    }

    /** {@code POST /api/v4/<endpoint>} with {@code body} as JSON. */
    public Response post(String endpoint, Map<String, ?> body) throws IOException, InterruptedException {
        return post(endpoint, body, Map.of());
    }

    /** {@code POST /api/v4/<endpoint>} with {@code body} as JSON and extra headers (e.g. {@code Idempotency-Key}). */
    public Response post(String endpoint, Map<String, ?> body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = signed(baseUrl.resolve("/api/v4/" + endpoint))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        headers.forEach(request::header);
        return send(request.build());
    }

    /** {@code GET /api/v4/<endpoint>?<query>}. */
    public Response get(String endpoint, Map<String, ?> query) throws IOException, InterruptedException {
        StringBuilder url = new StringBuilder("/api/v4/").append(endpoint);
        char separator = '?';
        for (Map.Entry<String, ?> parameter : query.entrySet()) {
            url.append(separator)
                    .append(java.net.URLEncoder.encode(parameter.getKey(), StandardCharsets.UTF_8))
                    .append('=')
                    .append(java.net.URLEncoder.encode(String.valueOf(parameter.getValue()), StandardCharsets.UTF_8));
            separator = '&';
        }
        return send(signed(baseUrl.resolve(url.toString())).GET().build());
    }

    private HttpRequest.Builder signed(URI uri) {
        String date = RFC_1123.format(clock.instant().atOffset(ZoneOffset.UTC));
        return HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json")
                .header("Date", date)
                .header("Authorization", authorization(apiKey, sharedKey, date));
    }

    private Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(
                response.statusCode(), response.body(), response.headers().map());
    }

    /** The {@code Authorization} header value for a call sent with {@code dateHeader}. */
    public static String authorization(String apiKey, String sharedKey, String dateHeader) {
        return "algorithm=\"hmac-sha256\",headers=\"date\",signature=\"" + signature(sharedKey, dateHeader)
                + "\",apikey=\"" + apiKey + "\"";
    }

    static String signature(String sharedKey, String dateHeader) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(sharedKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal(("licenseSpring\ndate: " + dateHeader).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
