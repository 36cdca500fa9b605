package io.fugou.member;

import static io.fugou.member.MemberApi.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.MemberEvent;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** A merchant brings its existing members: thousands per request, bad rows reported and left out, nothing twice. */
@MemberIntegrationTest
class MemberImportIT {

    private static final int MEMBERS = 10_000;

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    private final KafkaTestClient shop = new KafkaTestClient();

    private MemberApi api;

    @BeforeEach
    void setUp() {
        api = new MemberApi(web, localTokens);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldImportTenThousandMembersReportingEachBadRowAndImportNothingTwice() {
        String merchant = unique("merchant");
        api.program(merchant, "{\"tiers\": [{\"code\": \"bronze\", \"threshold\": 0}, {\"code\": \"gold\", \"threshold\": 5000}]}");
        String existing = "buyer-7";
        api.enrolled(merchant, "{\"customerId\": \"" + existing + "\", \"channel\": \"SHOP_HOME\"}");
        StringBuilder csv = new StringBuilder("customerId,enrolledAt,tier\n");
        for (int i = 0; i < MEMBERS; i++) {
            csv.append("buyer-").append(i).append(',').append(i % 2 == 0 ? "2024-03-01" : "2025-06-30T08:00:00Z").append(',')
                    .append(i % 10 == 0 ? "gold" : "").append('\n');
        }
        // Rows 10,001 to 10,005: four bad ones and one that repeats a buyer of the import.
        csv.append(",2024-03-01,\n");
        csv.append("buyer-x1,2999-01-01,\n");
        csv.append("buyer-x2,yesterday,\n");
        csv.append("buyer-x3,,platinum\n");
        csv.append("buyer-3,,\n");

        Map<String, Object> report = importCsv(merchant, csv.toString());

        assertThat(report).containsEntry("rows", MEMBERS + 5).containsEntry("imported", MEMBERS - 1)
                .containsEntry("alreadyMembers", 2).containsEntry("rejected", 4).containsEntry("done", true);
        assertThat((List<Map<String, Object>>) report.get("errors")).extracting(error -> error.get("row") + ":" + error.get("field"))
                .containsExactly((MEMBERS + 1) + ":customerId", (MEMBERS + 2) + ":enrolledAt", (MEMBERS + 3) + ":enrolledAt", (MEMBERS + 4) + ":tier");
        // Even buyers joined in 2024, odd ones in 2025 (but buyer-7, a member already).
        api.get(merchant, "/api/v1/enrollments/counts?from=2024-01-01&to=2024-12-31&groupBy=channel").expectStatus().isOk().expectBody()
                .jsonPath("$.rows[0].channel").isEqualTo("IMPORT").jsonPath("$.rows[0].members").isEqualTo(MEMBERS / 2);
        api.get(merchant, "/api/v1/enrollments/counts?from=2025-01-01&to=2025-12-31&groupBy=channel").expectStatus().isOk().expectBody()
                .jsonPath("$.total").isEqualTo(MEMBERS / 2 - 1);
        assertThat(api.member(merchant, "buyer-10")).containsEntry("tier", "gold").containsEntry("channel", "IMPORT")
                .containsEntry("enrolledAt", "2024-02-29T16:00:00Z"); // midnight in Shanghai
        assertThat(api.member(merchant, existing)).containsEntry("channel", "SHOP_HOME");
        // Joined in 2025, before the programme's first version: still on its ladder's first tier.
        assertThat(api.member(merchant, "buyer-11")).containsEntry("tier", "bronze");
        api.get(merchant, "/api/v1/members/{customer}", "buyer-x1").expectStatus().isNotFound();
        api.get(merchant, "/api/v1/members/{customer}", "buyer-x3").expectStatus().isNotFound();
        List<MemberEvent> events = shop.awaitEvents(Topics.MEMBERS, new MemberKey(merchant, "buyer-9999"), 1, Duration.ofSeconds(60));
        assertThat(((MemberEnrolled) events.get(0).getPayload()).getChannel()).isEqualTo(EnrollmentChannel.IMPORT);
        assertThat(events.get(0).getOccurredAt()).isEqualTo(Instant.parse("2025-06-30T08:00:00Z"));

        // Sent again: every buyer is a member already.
        Map<String, Object> again = importCsv(merchant, csv.toString());
        assertThat(again).containsEntry("imported", 0).containsEntry("alreadyMembers", MEMBERS + 1).containsEntry("rejected", 4);
    }

    @Test
    void shouldStreamProgressOfJsonLinesAndStopWhereTheTextBreaks() {
        String merchant = unique("merchant");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 1200; i++) {
            lines.append("{\"customerId\": \"buyer-").append(i).append("\"}\n");
        }
        lines.append("{\"customerId\": \"buyer-1200\", \"nickname\": \"Bo\"}\n");
        lines.append("{\"customerId\": \"buyer-broken\n");
        lines.append("{\"customerId\": \"buyer-after-the-break\"}\n");

        List<Map> progress = web.mutate().responseTimeout(Duration.ofMinutes(2)).build().post().uri("/api/v1/members/imports").headers(h -> h.setBearerAuth(api.token(merchant, "members:write")))
                .contentType(MediaType.APPLICATION_NDJSON).accept(MediaType.APPLICATION_NDJSON)
                .bodyValue(lines.toString())
                .exchange().expectStatus().isOk()
                .returnResult(Map.class).getResponseBody().collectList().block(Duration.ofSeconds(60));

        assertThat(progress).extracting(line -> line.get("imported")).containsExactly(500, 1000, 1200, 1200);
        Map<?, ?> report = progress.get(progress.size() - 1);
        assertThat(report.get("done")).isEqualTo(true);
        assertThat(report.get("rejected")).isEqualTo(1);
        assertThat(report.get("stoppedAtRow")).isEqualTo(1202);
        assertThat((List<?>) report.get("errors")).hasSize(1);
        api.get(merchant, "/api/v1/members/{customer}", "buyer-1199").expectStatus().isOk();
        api.get(merchant, "/api/v1/members/{customer}", "buyer-after-the-break").expectStatus().isNotFound();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> importCsv(String merchant, String csv) {
        return web.mutate().responseTimeout(Duration.ofMinutes(2)).build().post().uri("/api/v1/members/imports").headers(h -> h.setBearerAuth(api.token(merchant, "members:write")))
                .contentType(MediaType.parseMediaType("text/csv")).bodyValue(csv)
                .exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
    }
}
