package io.fugou.member.enrollment.events;

import io.fugou.events.Topics;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderFulfilled;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import io.fugou.member.enrollment.EnrollmentRequest;
import io.fugou.member.enrollment.Enrollments;
import io.fugou.member.program.ProgramVersion;
import io.fugou.member.program.Programs;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import io.fugou.platform.pipeline.Inbound;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The shop's orders: a paid order enrolls its buyer when the merchant's auto-enrollment rule in force at the
 * order's time says so (any paid order, or one of at least an amount). Its consumers relay member-service's
 * outbox, where every member event goes, so a member's events come out in the order the database applied them.
 */
@Configuration(proxyBeanMethods = false)
class OrderEventsPipeline {

    @Bean
    EventPipeline<OrderEvent> memberOrders(Programs programs, Enrollments enrollments) {
        EventHandler<OrderPaid> paid = events -> programs.versionsOf(events.stream().map(Inbound::merchantId).toList())
                .flatMap(versions -> {
                    List<EnrollmentRequest> qualifying = new ArrayList<>();
                    for (Inbound<OrderPaid> event : events) {
                        ProgramVersion version = versions.inForce(event.merchantId(), event.occurredAt());
                        EnrollmentChannel channel = version.program().enrollsThrough(event.payload().getTotal().getCurrency(),
                                event.payload().getTotal().getAmountMinor());
                        if (channel != null) {
                            qualifying.add(new EnrollmentRequest(event.member(), channel, null, null, null, version.autoEnrollmentRuleId(), null,
                                    event.occurredAt()));
                        }
                    }
                    return enrollments.enroll(qualifying, Enrollments.Unresolved.ENROLL_WITHOUT);
                })
                .thenReturn(List.of());
        return EventPipeline.consume("member-orders", Topics.ORDERS)
                .handle(OrderPaid.class, paid)
                .skip(OrderRefunded.class, "not yet: refunds take growth back with tiers, the next part of member-service (issue 8)")
                .skip(OrderCancelled.class, "not yet: cancellations take growth back with tiers, the next part of member-service (issue 8)")
                .skip(OrderFulfilled.class, "membership does not depend on delivery")
                .publishesTo(Topics.MEMBERS, Topics.MEMBER_PROFILES)
                .relaysOutbox()
                .build();
    }
}
