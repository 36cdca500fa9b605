package io.fugou.member.lifecycle.events;

import io.fugou.events.Topics;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.lifecycle.MemberLifecycleChanged;
import io.fugou.events.lifecycle.RfmSegmentChanged;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import io.fugou.platform.pipeline.Inbound;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Members' lifecycle stage (new, active, at risk, lapsed) and RFM segment, which analytics-service computes, kept on the
 * member so the shop and marketers read them here. The latest by event time wins; buyers who are not members are
 * ignored (analytics sees every buyer). Publishes nothing.
 */
@Configuration(proxyBeanMethods = false)
class LifecycleEventsPipeline {

    @Bean
    EventPipeline<LifecycleEvent> memberLifecycle(DatabaseClient db) {
        EventHandler<MemberLifecycleChanged> stages = events -> db.sql("""
                        update member m set stage = u.stage, stage_since = u.since
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:values as text[]), cast(:times as timestamptz[]))
                             with ordinality as u(merchant_id, customer_id, stage, since, n)
                        where m.merchant_id = u.merchant_id and m.customer_id = u.customer_id and (m.stage_since is null or m.stage_since <= u.since)
                          and u.n = (select max(v.n) from unnest(cast(:merchants as text[]), cast(:customers as text[])) with ordinality
                                     as v(merchant_id, customer_id, n) where v.merchant_id = u.merchant_id and v.customer_id = u.customer_id)""")
                .bind("merchants", column(events, Inbound::merchantId))
                .bind("customers", column(events, Inbound::customerId))
                .bind("values", column(events, event -> event.payload().getToStage().name()))
                .bind("times", events.stream().map(event -> OffsetDateTime.ofInstant(event.occurredAt(), ZoneOffset.UTC)).toArray(OffsetDateTime[]::new))
                .then().thenReturn(List.of());
        EventHandler<RfmSegmentChanged> segments = events -> db.sql("""
                        update member m set rfm_segment = u.segment, rfm_since = u.since
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:values as text[]), cast(:times as timestamptz[]))
                             with ordinality as u(merchant_id, customer_id, segment, since, n)
                        where m.merchant_id = u.merchant_id and m.customer_id = u.customer_id and (m.rfm_since is null or m.rfm_since <= u.since)
                          and u.n = (select max(v.n) from unnest(cast(:merchants as text[]), cast(:customers as text[])) with ordinality
                                     as v(merchant_id, customer_id, n) where v.merchant_id = u.merchant_id and v.customer_id = u.customer_id)""")
                .bind("merchants", column(events, Inbound::merchantId))
                .bind("customers", column(events, Inbound::customerId))
                .bind("values", column(events, event -> event.payload().getSegment()))
                .bind("times", events.stream().map(event -> OffsetDateTime.ofInstant(event.occurredAt(), ZoneOffset.UTC)).toArray(OffsetDateTime[]::new))
                .then().thenReturn(List.of());
        return EventPipeline.consume("member-lifecycle", Topics.LIFECYCLE)
                .group("member-service-lifecycle")
                .handle(MemberLifecycleChanged.class, stages)
                .handle(RfmSegmentChanged.class, segments)
                .build();
    }

    private static <P extends org.apache.avro.specific.SpecificRecord> String[] column(List<Inbound<P>> events, Function<Inbound<P>, String> value) {
        return events.stream().map(value).toArray(String[]::new);
    }
}
