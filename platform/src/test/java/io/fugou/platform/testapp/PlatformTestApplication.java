package io.fugou.platform.testapp;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.security.EndpointScopes;
import io.fugou.platform.security.ScopeRule;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import io.fugou.platform.web.paging.Cursor;
import io.fugou.platform.web.paging.Page;
import io.fugou.platform.web.paging.PageRequest;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The smallest service the platform can run: one resource with a read and a write scope. */
@SpringBootApplication
public class PlatformTestApplication {

    @Bean
    EndpointScopes widgetScopes() {
        return () -> List.of(
                ScopeRule.of(HttpMethod.GET, "/api/v1/widgets/**", "widgets:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/widgets", "widgets:write"));
    }

    /** What a client sends to create a widget; {@code fail} makes the service break after its write. */
    public record NewWidget(String name, Boolean fail) {
    }

    @RestController
    static class WidgetController {

        @GetMapping("/api/v1/widgets/{id}")
        Map<String, String> get(MerchantId merchant, @PathVariable String id) {
            return Map.of("merchantId", merchant.value(), "id", id);
        }

        private final ObjectProvider<DatabaseClient> database;

        WidgetController(ObjectProvider<DatabaseClient> database) {
            this.database = database;
        }

        /** A list as services serve them: the merchant's rows in a stable order, a page at a time. */
        @GetMapping("/api/v1/widgets")
        Mono<Page<Map<String, Object>>> list(MerchantId merchant, PageRequest page) {
            DatabaseClient db = database.getObject();
            Optional<Cursor> after = page.after(1);
            String sql = "select id, name from widget where merchant_id = :merchant"
                    + (after.isPresent() ? " and id > :after" : "") + " order by id limit :rows";
            DatabaseClient.GenericExecuteSpec query = db.sql(sql).bind("merchant", merchant.value()).bind("rows", page.fetchSize());
            if (after.isPresent()) {
                query = query.bind("after", after.get().longValue(0));
            }
            return query.map((row, meta) -> Map.<String, Object>of("id", row.get("id", Long.class), "name", row.get("name", String.class)))
                    .all().collectList()
                    .map(rows -> Page.of(rows, page, row -> Cursor.of(row.get("id").toString())));
        }

        /** A write as services do them: a row in the service's database, then 201 with its Location. */
        @PostMapping("/api/v1/widgets")
        Mono<ResponseEntity<Map<String, Object>>> create(MerchantId merchant, @RequestBody(required = false) NewWidget widget) {
            NewWidget request = widget == null ? new NewWidget("widget", Boolean.FALSE) : widget;
            DatabaseClient db = database.getIfAvailable();
            if (db == null) {
                return Mono.just(ResponseEntity.ok(Map.of("merchantId", merchant.value(), "created", true)));
            }
            return db.sql("create table if not exists widget (id bigserial primary key, merchant_id text not null, name text not null)").then()
                    .then(db.sql("insert into widget (merchant_id, name) values (:merchant, :name) returning id")
                            .bind("merchant", merchant.value()).bind("name", request.name())
                            .map((row, meta) -> row.get("id", Long.class)).one())
                    .map(id -> {
                        if (Boolean.TRUE.equals(request.fail())) {
                            throw new IllegalStateException("the widget service broke after writing (simulated)");
                        }
                        return ResponseEntity.created(URI.create("/api/v1/widgets/" + id))
                                .body(Map.<String, Object>of("id", id, "merchantId", merchant.value(), "name", request.name()));
                    });
        }
    }
}
