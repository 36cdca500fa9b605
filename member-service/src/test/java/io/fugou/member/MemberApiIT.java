package io.fugou.member;

import io.fugou.events.Topics;
import io.fugou.events.members.MembershipProgram;
import io.fugou.testsupport.KafkaTestClient;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import static io.fugou.member.MemberApi.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.platform.security.LocalTokens;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Every endpoint keeps to its merchant, and bad requests are refused naming the field, with nothing half-written. */
@MemberIntegrationTest
class MemberApiIT {

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    private MemberApi api;

    @BeforeEach
    void setUp() {
        api = new MemberApi(web, localTokens);
    }

    @Test
    void shouldShowAnotherMerchantNoneOfTheMembersCodesProgrammeOrCounts() {
        String merchantA = unique("merchant-a");
        String merchantB = unique("merchant-b");
        api.program(merchantA, "{\"tiers\": [{\"code\": \"regular\", \"threshold\": 0}, {\"code\": \"gold\", \"threshold\": 5000}]}");
        api.code(merchantA, "{\"code\": \"A-POSTER\", \"channel\": \"POSTER\"}");
        String member = unique("buyer");
        String shareCode = (String) api.enrolled(merchantA, "{\"customerId\": \"" + member + "\", \"recruitmentCode\": \"A-POSTER\"}").get("shareCode");

        api.get(merchantB, "/api/v1/members/{customer}", member).expectStatus().isNotFound();
        api.get(merchantB, "/api/v1/members").expectStatus().isOk().expectBody().jsonPath("$.items.length()").isEqualTo(0);
        api.get(merchantB, "/api/v1/enrollments/counts").expectStatus().isOk().expectBody().jsonPath("$.total").isEqualTo(0);
        api.get(merchantB, "/api/v1/recruitment-codes/{code}", "A-POSTER").expectStatus().isNotFound();
        api.get(merchantB, "/api/v1/recruitment-codes").expectStatus().isOk().expectBody().jsonPath("$.items.length()").isEqualTo(0);
        api.get(merchantB, "/api/v1/membership-program").expectStatus().isOk().expectBody()
                .jsonPath("$.version").isEqualTo(0).jsonPath("$.program.tiers.length()").isEqualTo(1);
        api.get(merchantB, "/api/v1/membership-program/versions").expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(0);
        api.get(merchantB, "/api/v1/members/{customer}/quotas", member).expectStatus().isNotFound();
        api.get(merchantB, "/api/v1/members/{customer}/paid-memberships", member).expectStatus().isNotFound();
        // A's codes and members mean nothing to B: B's buyer cannot be attributed to them...
        api.enroll(merchantB, "{\"customerId\": \"" + unique("buyer") + "\", \"recruitmentCode\": \"A-POSTER\"}")
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("recruitmentCode");
        api.enroll(merchantB, "{\"customerId\": \"" + unique("buyer") + "\", \"referralCode\": \"" + shareCode + "\"}")
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("referralCode");
        // ...B has its own namespace: the same code and the same buyer are B's own.
        api.code(merchantB, "{\"code\": \"A-POSTER\", \"channel\": \"QR_CODE\"}");
        assertThat(api.enrolled(merchantB, "{\"customerId\": \"" + member + "\", \"recruitmentCode\": \"A-POSTER\"}"))
                .containsEntry("channel", "QR_CODE").containsEntry("tier", "regular");
        api.get(merchantA, "/api/v1/recruitment-codes/{code}", "A-POSTER").expectStatus().isOk().expectBody()
                .jsonPath("$.channel").isEqualTo("POSTER").jsonPath("$.enrollments").isEqualTo(1);
        // A token without the scope is refused, whatever the merchant.
        web.post().uri("/api/v1/recruitment-codes").headers(h -> h.setBearerAuth(api.token(merchantA, "members:write")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"channel\": \"POSTER\"}").exchange().expectStatus().isForbidden();
    }

    @Test
    void shouldRefuseABrokenProgrammeNamingTheFieldAndKeepTheOneInForce() {
        String merchant = unique("merchant");
        api.program(merchant, "{\"tiers\": [{\"code\": \"regular\", \"threshold\": 0}, {\"code\": \"silver\", \"threshold\": 1000}]}");

        assertRefused(merchant, "{\"tiers\": [{\"code\": \"regular\", \"threshold\": 0}, {\"code\": \"gold\", \"threshold\": 5000}, "
                + "{\"code\": \"silver\", \"threshold\": 1000}]}", "program.tiers[2].threshold");
        assertRefused(merchant, "{\"tiers\": [{\"code\": \"regular\", \"threshold\": 0}, {\"code\": \"gold\", \"threshold\": -5}]}",
                "program.tiers[1].threshold");
        assertRefused(merchant, "{\"tiers\": [{\"code\": \"regular\", \"threshold\": 0}, {\"code\": \"regular\", \"threshold\": 10}]}",
                "program.tiers[1].code");
        assertRefused(merchant, "{\"tiers\": [{\"code\": \"regular\", \"threshold\": 10}]}", "program.tiers[0].threshold");
        assertRefused(merchant, "{\"tiers\": [{\"code\": \"regular\", \"threshold\": 0, \"colour\": \"gold\"}]}", "program.tiers[0].colour");
        assertRefused(merchant, "{\"timeZone\": \"Mars/Olympus\"}", "program.timeZone");
        assertRefused(merchant, "{\"autoEnrollment\": {\"mode\": \"MINIMUM_SPEND\"}}", "program.autoEnrollment.minimumSpend");
        assertRefused(merchant, "{\"autoEnrollment\": {\"mode\": \"MINIMUM_SPEND\", \"minimumSpend\": [{\"currency\": \"XYZ\", \"amountMinor\": 100}]}}",
                "program.autoEnrollment.minimumSpend[0].currency");
        assertRefused(merchant, "{\"autoEnrollment\": {\"mode\": \"SOMETIMES\"}}", "program.autoEnrollment.mode");

        api.get(merchant, "/api/v1/membership-program/versions").expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(1);
        api.get(merchant, "/api/v1/membership-program").expectStatus().isOk().expectBody()
                .jsonPath("$.version").isEqualTo(1).jsonPath("$.program.tiers[1].code").isEqualTo("silver")
                .jsonPath("$.program.tiers[1].name").isEqualTo("silver");
        api.get(merchant, "/api/v1/members?tier=platinum").expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("tier");
        api.get(merchant, "/api/v1/members?tier=silver").expectStatus().isOk();

        // The tiers go to fugou.membership-programs.v1 for the services that name them (campaign audiences): every
        // version's, and only the programme's versions, not the refused ones.
        web.post().uri("/api/v1/membership-program/versions").headers(h -> h.setBearerAuth(api.token(merchant, "members:manage")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"effectiveFrom\": \"2099-01-01T00:00:00Z\", \"program\": {\"tiers\": "
                        + "[{\"code\": \"regular\", \"threshold\": 0}, {\"code\": \"gold\", \"threshold\": 5000}]}}")
                .exchange().expectStatus().isCreated();
        List<MembershipProgram> published = Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> new KafkaTestClient().<MembershipProgram>readValues(Topics.MEMBERSHIP_PROGRAMS, merchant, Duration.ofMillis(500)),
                        values -> values.size() == 2);
        assertThat(published.get(0).getTiers()).containsExactly("regular", "silver");
        assertThat(published.get(1).getTiers()).containsExactly("regular", "silver", "gold");
    }

    @Test
    void shouldRefuseABadEnrollmentNamingTheFieldAndWriteNothing() {
        String merchant = unique("merchant");
        String customer = unique("buyer");
        assertEnrollRefused(merchant, "{\"customerId\": \"" + customer + "\", \"channel\": \"SKYWRITING\"}", "channel");
        assertEnrollRefused(merchant, "{\"customerId\": \"" + customer + "\", \"channel\": \"PURCHASE\"}", "channel");
        assertEnrollRefused(merchant, "{\"customerId\": \"" + customer + "\"}", "channel");
        assertEnrollRefused(merchant, "{\"customerId\": \"" + customer + "\", \"recruitmentCode\": \"NO-SUCH-CODE\"}", "recruitmentCode");
        assertEnrollRefused(merchant, "{\"customerId\": \"" + customer + "\", \"channel\": \"POSTER\", \"nickname\": \"Bo\"}", "nickname");
        assertEnrollRefused(merchant, "{\"customerId\": \"" + customer + "\", \"channel\": \"POSTER\", \"enrolledAt\": \"2999-01-01T00:00:00Z\"}",
                "enrolledAt");
        assertEnrollRefused(merchant, "{\"customerId\": \"\", \"channel\": \"POSTER\"}", "customerId");
        web.post().uri("/api/v1/recruitment-codes").headers(h -> h.setBearerAuth(api.token(merchant, "members:manage")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"code\": \"REF\", \"channel\": \"REFERRAL\"}").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("channel");
        web.post().uri("/api/v1/recruitment-codes").headers(h -> h.setBearerAuth(api.token(merchant, "members:manage")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"code\": \"no spaces\", \"channel\": \"POSTER\"}").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("code");
        api.code(merchant, "{\"code\": \"TAKEN\", \"channel\": \"POSTER\"}");
        web.post().uri("/api/v1/recruitment-codes").headers(h -> h.setBearerAuth(api.token(merchant, "members:manage")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"code\": \"TAKEN\", \"channel\": \"QR_CODE\"}").exchange()
                .expectStatus().isEqualTo(409);
        api.get(merchant, "/api/v1/enrollments/counts?groupBy=weather").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("groupBy");
        api.get(merchant, "/api/v1/enrollments/counts?from=2026-12-01&to=2026-11-01").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("from");

        api.get(merchant, "/api/v1/members/{customer}", customer).expectStatus().isNotFound();
        api.get(merchant, "/api/v1/recruitment-codes/{code}", "TAKEN").expectStatus().isOk().expectBody().jsonPath("$.channel").isEqualTo("POSTER");
    }

    @Test
    void shouldPageThroughMembersWithoutRepeatsOrGaps() {
        String merchant = unique("merchant");
        for (int i = 0; i < 7; i++) {
            api.enrolled(merchant, "{\"customerId\": \"buyer-" + i + "\", \"channel\": \"SHOP_HOME\", \"enrolledAt\": \"2026-11-0" + (i + 1) + "T10:00:00Z\"}");
        }
        java.util.List<Object> seen = new java.util.ArrayList<>();
        String cursor = null;
        do {
            @SuppressWarnings("unchecked")
            Map<String, Object> page = api.get(merchant, "/api/v1/members?limit=3" + (cursor == null ? "" : "&cursor=" + cursor))
                    .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
            ((java.util.List<Map<String, Object>>) page.get("items")).forEach(item -> seen.add(item.get("customerId")));
            cursor = (String) page.get("nextCursor");
        } while (cursor != null);
        assertThat(seen).containsExactly("buyer-6", "buyer-5", "buyer-4", "buyer-3", "buyer-2", "buyer-1", "buyer-0");
        api.get(merchant, "/api/v1/members?enrolledFrom=2026-11-03T00:00:00Z&enrolledBefore=2026-11-05T00:00:00Z").expectStatus().isOk()
                .expectBody().jsonPath("$.items[*].customerId").isEqualTo(java.util.List.of("buyer-3", "buyer-2"));
        api.get(merchant, "/api/v1/enrollments/counts?from=2026-11-01&to=2026-11-07&groupBy=day").expectStatus().isOk()
                .expectBody().jsonPath("$.total").isEqualTo(7).jsonPath("$.rows.length()").isEqualTo(7)
                .jsonPath("$.rows[0].day").isEqualTo("2026-11-01");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldDocumentEveryEndpointWithExamples() {
        Map<String, Object> docs = web.get().uri("/v3/api-docs").exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        java.util.List<String> undocumented = new java.util.ArrayList<>();
        ((Map<String, Map<String, Object>>) docs.get("paths")).forEach((path, operations) -> operations.forEach((method, value) -> {
            if (!path.startsWith("/api/v1/")) {
                return;
            }
            Map<String, Object> operation = (Map<String, Object>) value;
            Map<String, Object> body = (Map<String, Object>) operation.get("requestBody");
            if (body != null && !String.valueOf(body.get("content")).contains("examples")) {
                undocumented.add(method + " " + path + ": body");
            }
            for (Map<String, Object> parameter : (java.util.List<Map<String, Object>>) operation.getOrDefault("parameters", java.util.List.of())) {
                if (parameter.get("example") == null && parameter.get("examples") == null) {
                    undocumented.add(method + " " + path + ": " + parameter.get("name"));
                }
            }
        }));
        assertThat(undocumented).as("operations and parameters without an example").isEmpty();
    }

    private void assertRefused(String merchant, String program, String field) {
        web.post().uri("/api/v1/membership-program/versions").headers(h -> h.setBearerAuth(api.token(merchant, "members:manage")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"program\": " + program + "}")
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo(field);
    }

    private void assertEnrollRefused(String merchant, String body, String field) {
        api.enroll(merchant, body).expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo(field);
    }
}
