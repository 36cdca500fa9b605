package io.fugou.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.platform.PlatformIntegrationTest;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.security.LocalTokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Cursor paging as every list endpoint serves it, against the real database. */
@PlatformIntegrationTest
class PagingIT {

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    private String token(String merchant) {
        return localTokens.issue(new MerchantId(merchant), List.of("widgets:read", "widgets:write"), Duration.ofMinutes(5)).token();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> page(String merchant, String query) {
        return web.mutate().responseTimeout(Duration.ofSeconds(30)).build()
                .get().uri("/api/v1/widgets" + query).headers(h -> h.setBearerAuth(token(merchant))).exchange()
                .expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldWalkEveryItemOnceInAStableOrderAndEndWithoutACursor() {
        String merchant = "paging-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = "widget-" + i;
            created.add(name);
            web.mutate().responseTimeout(Duration.ofSeconds(30)).build()
                    .post().uri("/api/v1/widgets").headers(h -> h.setBearerAuth(token(merchant)))
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", name))
                    .exchange().expectStatus().isCreated();
        }

        List<String> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> page = page(merchant, "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
            sizes.add(items.size());
            items.forEach(item -> seen.add((String) item.get("name")));
            cursor = (String) page.get("nextCursor");
        } while (cursor != null);

        assertThat(sizes).containsExactly(2, 2, 1);
        assertThat(seen).containsExactlyElementsOf(created);
        assertThat(page("someone-else", "?limit=200").get("items")).asList().isEmpty();
    }

    @Test
    void shouldNameTheFieldAtFaultForABadLimitOrAnAlteredCursor() {
        web.get().uri("/api/v1/widgets?limit=500").headers(h -> h.setBearerAuth(token("merchant-a"))).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("limit");
        web.get().uri("/api/v1/widgets?limit=ten").headers(h -> h.setBearerAuth(token("merchant-a"))).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("limit");
        web.get().uri("/api/v1/widgets?cursor=not-a-cursor").headers(h -> h.setBearerAuth(token("merchant-a"))).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("cursor");
    }
}
