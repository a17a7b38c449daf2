package io.tally.gateway.management;

import io.tally.gateway.api.ApiJson;
import io.tally.gateway.api.RequestIds;
import io.tally.gateway.consumption.Outcomes;
import io.tally.gateway.validation.InputLimits;
import io.tally.gateway.validation.RequestFields;
import io.tally.protocol.CommandResult;
import io.tally.protocol.ManagementCommand;
import io.tally.protocol.TenantCredentials;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/licenses/{id}/consumptions/}: a license's usage history from the ledger, its consumption requests
 * applied or refused, newest first.
 *
 * <p>Paged with {@code limit} (1 to {@code tally.limits.max-history-page}, default 50) and either {@code offset} (up
 * to {@code tally.limits.max-history-offset}) or a {@code cursor}: the {@code next} link of a page past that offset,
 * and of every page reached by cursor, carries the cursor of its last entry, so the worker reads from that entry on
 * (keyset) instead of walking every entry before it. {@code from} (inclusive) and {@code to} (exclusive) bound the
 * requests' accepted-at, as ISO-8601 dates or date-times. {@code count} is the number of entries from the page's start
 * to the end of the selection, counted up to 10,000 past the page.
 */
@RestController
class UsageHistoryController {

    private static final int DEFAULT_PAGE = 50;

    private final ManagementAuthentication authentication;
    private final Outcomes outcomes;
    private final ApiJson json;
    private final Clock clock;
    private final InputLimits limits;

    UsageHistoryController(
            ManagementAuthentication authentication, Outcomes outcomes, ApiJson json, Clock clock, InputLimits limits) {
        this.authentication = authentication;
        this.outcomes = outcomes;
        this.json = json;
        this.clock = clock;
        this.limits = limits;
    }

    /** Where a page reached by cursor starts: after the entry accepted at {@code acceptedAt} with {@code requestId}. */
    record Cursor(Instant acceptedAt, UUID requestId) {

        String encode() {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((acceptedAt + "|" + requestId).getBytes(StandardCharsets.UTF_8));
        }

        /**
         * The cursor a page gave, or 400 {@code validation_error}: one not given by a page (too long, not decodable, or
         * naming a time outside the accepted range) never reaches the worker.
         */
        static Cursor decode(String text, InputLimits limits) {
            if (text.length() <= MAX_CURSOR) {
                try {
                    String[] parts =
                            new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|");
                    if (parts.length == 2) {
                        Instant at = Instant.parse(parts[0]);
                        if (!at.isBefore(limits.earliestDate()) && !at.isAfter(limits.latestDate())) {
                            return new Cursor(at, UUID.fromString(parts[1]));
                        }
                    }
                } catch (IllegalArgumentException | java.time.DateTimeException e) {
                    // answered below
                }
            }
            throw RequestFields.invalid("cursor", "must be a cursor from a page's next link");
        }

        /** Longer than any cursor a page gives (an ISO instant, a UUID, base64). */
        private static final int MAX_CURSOR = 128;
    }

    @GetMapping("/api/v1/licenses/{id}/consumptions/")
    CompletableFuture<ResponseEntity<byte[]>> consumptions(
            @RequestHeader(value = "Authorization", required = false) String authorization,
            @PathVariable("id") long id,
            @RequestParam(value = "from", required = false) String from,
            @RequestParam(value = "to", required = false) String to,
            @RequestParam(value = "limit", required = false) String limit,
            @RequestParam(value = "offset", required = false) String offset,
            @RequestParam(value = "cursor", required = false) String cursor) {
        TenantCredentials tenant = authentication.authenticate(authorization);
        Instant fromAt = RequestFields.instant("from", from, limits);
        Instant toAt = RequestFields.instant("to", to, limits);
        if (fromAt != null && toAt != null && !fromAt.isBefore(toAt)) {
            throw RequestFields.invalid("to", "must be later than from");
        }
        Map<String, String> paging = new java.util.HashMap<>();
        if (limit != null) {
            paging.put("limit", limit);
        }
        if (offset != null) {
            paging.put("offset", offset);
        }
        RequestFields query = RequestFields.ofQuery(json.mapper(), paging, limits);
        Integer requestedPage = query.int32("limit", 1, limits.maxHistoryPage());
        Integer requestedOffset = query.int32("offset", 0, limits.maxHistoryOffset());
        int pageSize = requestedPage == null ? DEFAULT_PAGE : requestedPage;
        int skip = requestedOffset == null ? 0 : requestedOffset;
        Cursor after = cursor == null || cursor.isEmpty() ? null : Cursor.decode(cursor, limits);
        if (after != null && skip > 0) {
            throw RequestFields.invalid("cursor", "cannot be combined with offset");
        }
        var command = new ManagementCommand.ListConsumptions(
                RequestIds.current(),
                clock.instant(),
                tenant.tenantId(),
                null,
                id,
                fromAt,
                after != null ? after.acceptedAt() : toAt,
                pageSize,
                skip,
                after != null ? after.requestId() : null);
        return outcomes.send(
                command,
                result -> result instanceof CommandResult.ConsumptionsListed listed
                        ? json.respond(200, page(listed, id, from, to, pageSize, skip, after != null))
                        : null);
    }

    /** The page in the shape of the Management API's lists: count, next, previous, results. */
    private Map<String, Object> page(
            CommandResult.ConsumptionsListed listed,
            long id,
            String from,
            String to,
            int limit,
            int offset,
            boolean byCursor) {
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
        boolean more = offset + listed.entries().size() < listed.count()
                && !listed.entries().isEmpty();
        String next = null;
        if (more) {
            if (!byCursor && offset + limit <= limits.maxHistoryOffset()) {
                next = pageUrl(id, from, to, limit) + "&offset=" + (offset + limit);
            } else {
                var last = listed.entries().getLast();
                next = pageUrl(id, from, null, limit) + "&cursor="
                        + new Cursor(last.acceptedAt(), last.requestId()).encode();
            }
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("count", listed.count());
        page.put("next", next);
        page.put(
                "previous",
                !byCursor && offset > 0
                        ? pageUrl(id, from, to, limit) + "&offset=" + Math.max(0, offset - limit)
                        : null);
        page.put("results", results);
        return page;
    }

    private static String pageUrl(long id, String from, String to, int limit) {
        StringBuilder url = new StringBuilder("/api/v1/licenses/" + id + "/consumptions/?limit=" + limit);
        if (from != null) {
            url.append("&from=").append(URLEncoder.encode(from, StandardCharsets.UTF_8));
        }
        if (to != null) {
            url.append("&to=").append(URLEncoder.encode(to, StandardCharsets.UTF_8));
        }
        return url.toString();
    }
}
