package io.fugou.campaign.insights;

import io.fugou.events.insights.CategoryBoughtNext;
import io.fugou.events.insights.CategoryFollowers;
import io.fugou.events.insights.MerchantInsights;
import io.fugou.platform.catalog.Categories;
import io.fugou.platform.kafka.InvalidEventException;
import io.fugou.platform.merchant.MerchantId;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * What each merchant's buyers most often buy next after each category, as analytics-service publishes it
 * ({@code fugou.merchant-insights.v1}, compacted, keyed by merchant), for cross-sell coupons ({@code categoryBoughtNext}).
 * Kept from the topic, never asked of analytics over HTTP. Read by a plain listener: the value is the merchant's current
 * state and the latest record of a merchant's key is the newest (one partition, in order), so the last one read is kept;
 * its {@code updatedAt} is another machine's clock and decides nothing.
 */
@Component
public class CategoriesBoughtNext {

    private static final TypeReference<List<String>> CATEGORIES = new TypeReference<>() {
    };

    private final DatabaseClient db;
    private final JsonMapper json;

    CategoriesBoughtNext(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    @KafkaListener(id = "campaign-merchant-insights", topics = "#{T(io.fugou.events.Topics).MERCHANT_INSIGHTS.name()}",
            groupId = "campaign-service-insights")
    void onInsights(ConsumerRecord<String, MerchantInsights> record) {
        MerchantInsights insights = record.value();
        if (insights == null) {
            return; // analytics never deletes a merchant's insights; nothing to forget
        }
        if (!insights.getMerchantId().equals(record.key()) || !MerchantId.isValid(record.key())) {
            throw new InvalidEventException("the insights of " + insights.getMerchantId() + " were keyed " + record.key(), null);
        }
        Map<String, List<String>> next = new LinkedHashMap<>();
        for (CategoryFollowers category : insights.getNextCategories()) {
            next.put(category.getCategory(), category.getNext().stream().map(CategoryBoughtNext::getCategory).toList());
        }
        db.sql("""
                        insert into categories_bought_next (merchant_id, next, updated_at) values (:merchant, cast(:next as jsonb), :at)
                        on conflict (merchant_id) do update set next = excluded.next, updated_at = excluded.updated_at""")
                .bind("merchant", insights.getMerchantId()).bind("next", json.writeValueAsString(next))
                .bind("at", OffsetDateTime.ofInstant(insights.getUpdatedAt(), ZoneOffset.UTC))
                .then().block(Duration.ofSeconds(30));
    }

    /** A category bought by a member of a merchant. */
    public record Bought(String merchantId, String category) {
    }

    /**
     * For each category bought, the one to cross-sell: the category most often bought next that is neither it nor above or
     * below it (a buyer restocking beer is no news to a beer buyer); absent when analytics has none yet.
     */
    public Mono<Map<Bought, String>> crossSell(List<Bought> bought) {
        List<Bought> distinct = bought.stream().distinct().toList();
        if (distinct.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("""
                        select u.merchant_id, u.category, cast(n.next -> u.category as text) as next
                        from unnest(cast(:merchants as text[]), cast(:categories as text[])) as u(merchant_id, category)
                        join categories_bought_next n on n.merchant_id = u.merchant_id
                        where n.merchant_id = any(cast(:merchantIds as text[])) and n.next -> u.category is not null""")
                .bind("merchants", distinct.stream().map(Bought::merchantId).toArray(String[]::new))
                .bind("categories", distinct.stream().map(Bought::category).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(distinct.stream().map(Bought::merchantId).toArray(String[]::new)))
                .map((row, meta) -> {
                    Bought one = new Bought(row.get("merchant_id", String.class), row.get("category", String.class));
                    List<String> next = json.readValue(row.get("next", String.class), CATEGORIES);
                    return Map.entry(one, Optional.ofNullable(other(one.category(), next)));
                })
                .all()
                .filter(entry -> entry.getValue().isPresent())
                .collectMap(Map.Entry::getKey, entry -> entry.getValue().get());
    }

    /** The first of {@code next} that is neither {@code category} nor above or below it; null when there is none. */
    static String other(String category, List<String> next) {
        return next.stream().filter(candidate -> !Categories.covers(candidate, category) && !Categories.covers(category, candidate))
                .findFirst().orElse(null);
    }
}
