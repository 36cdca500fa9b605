package io.fugou.member.lifecycle.events;

import io.fugou.events.Topics;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.lifecycle.MemberLifecycleChanged;
import io.fugou.events.lifecycle.NextOrderPredicted;
import io.fugou.events.lifecycle.RfmSegmentChanged;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.Outbound;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * Members' lifecycle stage (new, active, at risk, lapsed) and RFM segment, which analytics-service computes, kept on the
 * member so the shop and marketers read them here. The latest by event time wins; buyers who are not members are
 * ignored (analytics sees every buyer). Publishes nothing.
 */
@Configuration(proxyBeanMethods = false)
class LifecycleEventsPipeline {

    @Bean
    EventPipeline<LifecycleEvent> memberLifecycle(DatabaseClient db) {
        EventHandler<MemberLifecycleChanged> stages = events -> latest(db.sql("""
                update member m set stage = u.value, stage_since = u.since
                from (select distinct on (x.merchant_id, x.customer_id) x.*
                      from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:values as text[]), cast(:times as timestamptz[]))
                           with ordinality as x(merchant_id, customer_id, value, since, n)
                      order by x.merchant_id, x.customer_id, x.since desc, x.n desc) u
                where m.merchant_id = u.merchant_id and m.customer_id = u.customer_id and (m.stage_since is null or m.stage_since <= u.since)"""),
                events, event -> event.payload().getToStage().name());
        EventHandler<RfmSegmentChanged> segments = events -> latest(db.sql("""
                update member m set rfm_segment = u.value, rfm_since = u.since
                from (select distinct on (x.merchant_id, x.customer_id) x.*
                      from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:values as text[]), cast(:times as timestamptz[]))
                           with ordinality as x(merchant_id, customer_id, value, since, n)
                      order by x.merchant_id, x.customer_id, x.since desc, x.n desc) u
                where m.merchant_id = u.merchant_id and m.customer_id = u.customer_id and (m.rfm_since is null or m.rfm_since <= u.since)"""),
                events, event -> event.payload().getSegment());
        return EventPipeline.consume("member-lifecycle", Topics.LIFECYCLE)
                .group("member-service-lifecycle")
                .handle(MemberLifecycleChanged.class, stages)
                .handle(RfmSegmentChanged.class, segments)
                .skip(NextOrderPredicted.class, "campaign-service's replenishment reminders use it; a member's profile does not")
                .build();
    }

    /**
     * Runs one of the updates above: each member's latest event of the batch by event time (the last read among equals),
     * applied if it is not older than what the member holds. (Each statement is written out where it is used, not built from a column name, so the merchant check reads it.)
     */
    private static <P extends SpecificRecord> Mono<List<Outbound>> latest(DatabaseClient.GenericExecuteSpec update, List<Inbound<P>> events,
                                                                        Function<Inbound<P>, String> value) {
        return update
                .bind("merchants", events.stream().map(Inbound::merchantId).toArray(String[]::new))
                .bind("customers", events.stream().map(Inbound::customerId).toArray(String[]::new))
                .bind("values", events.stream().map(value).toArray(String[]::new))
                .bind("times", events.stream().map(event -> OffsetDateTime.ofInstant(event.occurredAt(), ZoneOffset.UTC)).toArray(OffsetDateTime[]::new))
                .then().thenReturn(List.of());
    }
}
