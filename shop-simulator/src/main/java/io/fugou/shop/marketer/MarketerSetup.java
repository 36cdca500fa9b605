package io.fugou.shop.marketer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fugou.shop.catalogue.MarketingTerms;
import io.fugou.shop.catalogue.Shop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sets a simulated merchant up through the public APIs, as its marketer would on their first day: the membership
 * programme (tiers, joining by spend, the paid plan), recruitment codes, the earning rules (a beer or tea multiplier,
 * a member day, the bundle), a contact policy, a coupon template for points, and the lifecycle campaigns (welcome with
 * an A/B test, second order, win-back with a holdout, replenishment, birthday, member day, referral, abandoned cart).
 * Run again on the same platform, it leaves what is there (also what the merchant changed) and adds what is missing.
 */
public final class MarketerSetup {

    /** Services whose APIs the marketer uses. */
    public record Endpoints(URI member, URI loyalty, URI campaign) {
    }

    private static final List<String> SCOPES = List.of("members:read", "members:manage", "loyalty:read", "loyalty:write",
            "campaigns:read", "campaigns:write");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Endpoints endpoints;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public MarketerSetup(Endpoints endpoints) {
        this.endpoints = endpoints;
    }

    /** Sets {@code shop} up; returns what it did, for the console. */
    public List<String> setUp(Shop shop) {
        String token = token(shop.merchantId());
        List<String> done = new java.util.ArrayList<>();
        if (!hasVersions(endpoints.member().resolve("/api/v1/membership-program/versions"), token)) {
            send("POST", endpoints.member().resolve("/api/v1/membership-program/versions"), token, Map.of("program", program(shop)));
            done.add("membership programme (regular, silver, gold; members by spending 99 yuan; paid plan " + shop.paidMembership().sku() + ")");
        }
        for (Map<String, Object> code : List.of(
                Map.<String, Object>of("code", MarketingTerms.TILL_QR, "channel", "QR_CODE", "name", "QR code at the tills"),
                Map.<String, Object>of("code", MarketingTerms.SPRING_POSTER, "channel", "POSTER", "campaignId", "spring", "name", "Spring posters"))) {
            if (send("POST", endpoints.member().resolve("/api/v1/recruitment-codes"), token, code).statusCode() == 201) {
                done.add("recruitment code " + code.get("code"));
            }
        }
        if (!hasVersions(endpoints.loyalty().resolve("/api/v1/earning-rules/versions"), token)) {
            send("POST", endpoints.loyalty().resolve("/api/v1/earning-rules/versions"), token, Map.of("rules", earningRules(shop)));
            done.add("earning rules (1 point a yuan, x2 on " + signatureCategory(shop) + ", x3 on the 8th, bundle " + shop.bundle().sku() + ")");
        }
        // A policy or template the merchant has already is theirs: left as it is.
        JsonNode policy = json(send("GET", endpoints.campaign().resolve("/api/v1/contact-policy"), token, null));
        if (!policy.hasNonNull("maxContacts") && !policy.hasNonNull("minGapMinutes") && !policy.hasNonNull("quietFrom")) { // none set yet
            send("PUT", endpoints.campaign().resolve("/api/v1/contact-policy"), token,
                    Map.of("maxContacts", 4, "windowHours", 168, "minGapMinutes", 60, "timeZone", "Asia/Shanghai"));
            done.add("contact policy (at most 4 messages a week, an hour apart)");
        }
        if (status("GET", endpoints.campaign().resolve("/api/v1/coupon-templates/points-10-off"), token) == 404) {
            send("PUT", endpoints.campaign().resolve("/api/v1/coupon-templates/points-10-off"), token,
                    Map.of("amountOffMinor", 1000, "currency", shop.currency(), "minimumSpendMinor", 5000, "validDays", 30, "returnOnRefund", true));
            done.add("coupon template points-10-off");
        }
        Map<String, JsonNode> existing = campaignsByName(token);
        for (Map<String, Object> definition : campaigns(shop)) {
            String name = (String) definition.get("name");
            JsonNode campaign = existing.get(name);
            if (campaign == null) {
                campaign = json(send("POST", endpoints.campaign().resolve("/api/v1/campaigns"), token, definition));
                done.add("campaign '" + name + "'");
            }
            // Also one made by an earlier run whose activation did not go through.
            if (campaign.get("status").asText().equals("DRAFT")) {
                send("POST", endpoints.campaign().resolve("/api/v1/campaigns/" + campaign.get("campaignId").asText() + "/activate"), token, null);
            }
        }
        return done;
    }

    static Map<String, Object> program(Shop shop) {
        Map<String, Object> program = new LinkedHashMap<>();
        program.put("timeZone", "Asia/Shanghai");
        program.put("tiers", List.of(
                Map.of("code", "regular", "name", "普通会员", "threshold", 0),
                Map.of("code", "silver", "name", "银卡会员", "threshold", 500, "benefits", Map.of("discountPercent", 3)),
                Map.of("code", "gold", "name", "金卡会员", "threshold", 2000, "benefits", Map.of("discountPercent", 5, "freeShipping", true))));
        program.put("autoEnrollment", Map.of("mode", "MINIMUM_SPEND",
                "minimumSpend", List.of(money(shop, MarketingTerms.AUTO_ENROLL_MINIMUM_SPEND_MINOR))));
        program.put("growth", Map.of("spendRates", List.of(Map.of("currency", shop.currency(), "growth", 1, "per", 100)),
                "fromSpend", true, "fromPoints", false, "windowDays", 365));
        program.put("qualificationPeriod", "QUARTER");
        program.put("paidPlans", List.of(Map.of("planId", "plus", "name", shop.paidMembership().name(), "sku", shop.paidMembership().sku(),
                "price", money(shop, shop.paidMembership().priceMinor()), "termMonths", 12, "benefits", Map.of("freeShipping", true))));
        return program;
    }

    static Map<String, Object> earningRules(Shop shop) {
        Map<String, Object> rules = new LinkedHashMap<>();
        rules.put("timeZone", "Asia/Shanghai");
        rules.put("baseRates", List.of(Map.of("currency", shop.currency(), "points", 1, "per", 100)));
        rules.put("tierMultipliers", List.of(Map.of("tier", "silver", "percent", 120), Map.of("tier", "gold", "percent", 150)));
        rules.put("memberDays", List.of(Map.of("dayOfMonth", 8, "percent", 300)));
        rules.put("categoryMultipliers", List.of(Map.of("category", signatureCategory(shop), "percent", 200)));
        rules.put("caps", Map.of("perOrder", 5000, "perMemberPerDay", 20000));
        rules.put("returnWindowDays", 7);
        rules.put("refundShortfall", "TAKE_AVAILABLE");
        rules.put("pointsExpireAfterDays", 365);
        rules.put("expiringSoonDays", 30);
        rules.put("cashRates", List.of(Map.of("currency", shop.currency(), "points", 100, "worthMinor", 100)));
        rules.put("bundles", List.of(Map.of("sku", shop.bundle().sku(), "coversSku", shop.bundleCovers(), "units", shop.bundleUnits(),
                "expiresAfterDays", 365)));
        return rules;
    }

    /** The category the shop is known for, whose points are doubled. */
    static String signatureCategory(Shop shop) {
        return shop.product(shop.bundleCovers()).orElseThrow().category();
    }

    static List<Map<String, Object>> campaigns(Shop shop) {
        String currency = shop.currency();
        return List.of(
                Map.of("name", "Welcome gift", "trigger", Map.of("type", "MEMBER_ENROLLED"), "audience", Map.of("everyone", true),
                        "variants", List.of(
                                Map.of("code", "ten-off", "weight", 50, "reward", Map.of("coupon", coupon("welcome-10", currency, 1000, 5000, 30))),
                                Map.of("code", "points", "weight", 50, "reward", Map.of("bonusPoints", 200, "bonusPointsValidDays", 90))),
                        "holdoutPercent", 10),
                Map.of("name", "Come back for a second", "trigger", Map.of("type", "FIRST_ORDER"), "audience", Map.of("everyone", true),
                        "holdoutPercent", 20, "reward", Map.of("coupon", coupon("second-order-15", currency, 1500, 9900, 21),
                                "notification", Map.of("channel", "APP_PUSH", "templateId", "second-order", "parameters", Map.of("amount", "15")))),
                Map.of("name", "Win back", "trigger", Map.of("type", "STAGE_CHANGED", "toStage", "AT_RISK"), "audience", Map.of("everyone", true),
                        "holdoutPercent", 20, "reward", Map.of("coupon", Map.of("templateId", "win-back-20", "percentOff", 20, "maxDiscountMinor", 5000,
                                "currency", currency, "validDays", 14)), "budget", Map.of("perMember", 3)),
                Map.of("name", "Running low?", "trigger", Map.of("type", "REPLENISHMENT", "days", 3), "audience", Map.of("everyone", true),
                        "reward", Map.of("coupon", coupon("restock-8", currency, 800, 0, 7)), "budget", Map.of("perMember", 50)),
                Map.of("name", "Happy birthday", "trigger", Map.of("type", "BIRTHDAY", "days", 3), "audience", Map.of("everyone", true),
                        "reward", Map.of("coupon", coupon("birthday-30", currency, 3000, 10000, 10)), "budget", Map.of("perMember", 100)),
                Map.of("name", "Member day", "trigger", Map.of("type", "MEMBER_DAY", "dayOfMonth", 8), "audience", Map.of("everyone", true),
                        "reward", Map.of("coupon", Map.of("templateId", "member-day-12", "percentOff", 12, "maxDiscountMinor", 3000, "currency", currency,
                                "validDays", 1)), "budget", Map.of("perMember", 12)),
                // Cross-sell: the category the shop's buyers most often buy next after its signature one, as analytics finds it.
                Map.of("name", "What comes next", "trigger", Map.of("type", "CATEGORY_BOUGHT", "category", signatureCategory(shop)),
                        "audience", Map.of("everyone", true), "reward", Map.of("coupon", Map.of("templateId", "next-10", "percentOff", 10,
                                "maxDiscountMinor", 3000, "currency", currency, "validDays", 14, "categoryBoughtNext", true)),
                        "budget", Map.of("perMember", 3)),
                Map.of("name", "Bring a friend", "trigger", Map.of("type", "REFERRAL_ENROLLED"), "audience", Map.of("everyone", true),
                        "reward", Map.of("coupon", coupon("friend-20", currency, 2000, 0, 14))),
                Map.of("name", "Your cart is waiting", "trigger", Map.of("type", "CART_ABANDONED", "hours", 2), "audience", Map.of("everyone", true),
                        "reward", Map.of("coupon", Map.of("templateId", "cart-ship", "freeShipping", true, "validDays", 2)), "budget", Map.of("perMember", 6)));
    }

    private static Map<String, Object> coupon(String templateId, String currency, long amountOffMinor, long minimumSpendMinor, int validDays) {
        Map<String, Object> coupon = new LinkedHashMap<>(Map.of("templateId", templateId, "amountOffMinor", amountOffMinor, "currency", currency,
                "validDays", validDays));
        if (minimumSpendMinor > 0) {
            coupon.put("minimumSpendMinor", minimumSpendMinor);
        }
        return coupon;
    }

    private static Map<String, Object> money(Shop shop, long minor) {
        return Map.of("currency", shop.currency(), "amountMinor", minor);
    }

    /** A token for the merchant from the services' local issuer (local security mode, as deploy/run starts them). */
    private String token(String merchantId) {
        HttpResponse<String> response = send("POST", endpoints.member().resolve("/local/tokens"), null,
                Map.of("merchantId", merchantId, "scopes", SCOPES, "validMinutes", 60));
        return json(response).get("token").asText();
    }

    private boolean hasVersions(URI versions, String token) {
        for (JsonNode version : json(send("GET", versions, token, null))) {
            if (version.get("version").asInt() > 0) {
                return true;
            }
        }
        return false;
    }

    private Map<String, JsonNode> campaignsByName(String token) {
        Map<String, JsonNode> campaigns = new LinkedHashMap<>();
        String cursor = null;
        do {
            URI page = endpoints.campaign().resolve("/api/v1/campaigns?limit=200"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            JsonNode body = json(send("GET", page, token, null));
            body.get("items").forEach(campaign -> campaigns.put(campaign.get("definition").get("name").asText(), campaign));
            cursor = body.hasNonNull("nextCursor") ? body.get("nextCursor").asText() : null;
        } while (cursor != null);
        return campaigns;
    }

    private int status(String method, URI uri, String token) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Sends a request; any answer but 2xx stops the set-up with the problem, except a 409 to creating a recruitment
     * code, which is there already.
     */
    private HttpResponse<String> send(String method, URI uri, String token, Object body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .header("Content-Type", "application/json");
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2 && !(response.statusCode() == 409 && uri.getPath().endsWith("/recruitment-codes"))) {
                throw new IllegalStateException(method + " " + uri + " answered " + response.statusCode() + ": " + response.body());
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + response.body(), e);
        }
    }
}
