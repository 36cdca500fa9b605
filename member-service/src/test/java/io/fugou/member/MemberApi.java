package io.fugou.member;

import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.TestTokens;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** What the member tests do over HTTP again and again, as the shop's backend or the merchant's staff would. */
final class MemberApi {

    private final WebTestClient web;
    private final TestTokens tokens;

    MemberApi(WebTestClient web, LocalTokens localTokens) {
        this.web = web;
        this.tokens = new TestTokens(localTokens);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    String token(String merchant, String... scopes) {
        return tokens.forMerchant(merchant, scopes);
    }

    /** Adds a programme version in force now. */
    void program(String merchant, String program) {
        web.post().uri("/api/v1/membership-program/versions").headers(h -> h.setBearerAuth(token(merchant, "members:manage")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"program\": " + program + "}")
                .exchange().expectStatus().isCreated();
    }

    /** Creates a recruitment code; the code as answered. */
    @SuppressWarnings("unchecked")
    Map<String, Object> code(String merchant, String body) {
        return web.post().uri("/api/v1/recruitment-codes").headers(h -> h.setBearerAuth(token(merchant, "members:manage")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    }

    WebTestClient.ResponseSpec enroll(String merchant, String body) {
        return web.post().uri("/api/v1/members").headers(h -> h.setBearerAuth(token(merchant, "members:write")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    /** Enrolls a new buyer; the member as answered. */
    @SuppressWarnings("unchecked")
    Map<String, Object> enrolled(String merchant, String body) {
        return enroll(merchant, body).expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    }

    WebTestClient.ResponseSpec get(String merchant, String uri, Object... variables) {
        return web.get().uri(uri, variables).headers(h -> h.setBearerAuth(token(merchant, "members:read"))).exchange();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> member(String merchant, String customerId) {
        return get(merchant, "/api/v1/members/{customer}", customerId).expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    }
}
