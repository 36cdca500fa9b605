package io.fugou.member.enrollment.events;

import io.fugou.events.Topics;
import io.fugou.events.customers.CustomerErasureRequested;
import io.fugou.events.customers.CustomerEvent;
import io.fugou.events.customers.CustomerProfileChanged;
import io.fugou.events.customers.CustomerRegistered;
import io.fugou.events.customers.MembershipRequested;
import io.fugou.member.enrollment.EnrollmentRequest;
import io.fugou.member.enrollment.Enrollments;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The shop's buyers who ask to join: at registration ({@code joinedMembership}) or later (a poster, a QR code).
 * Their {@code MemberEnrolled} goes through the outbox, which the orders pipeline relays, so each member's events
 * keep one order whichever topic caused them.
 */
@Configuration(proxyBeanMethods = false)
class CustomerEventsPipeline {

    @Bean
    EventPipeline<CustomerEvent> memberCustomers(Enrollments enrollments) {
        EventHandler<CustomerRegistered> registered = events -> enrollments.enroll(events.stream()
                        .filter(event -> event.payload().getJoinedMembership())
                        .map(event -> new EnrollmentRequest(event.member(), event.payload().getChannel(), event.payload().getRecruitmentCode(),
                                event.payload().getReferralCode(), event.payload().getReferrerCustomerId(), null, null, event.occurredAt()))
                        .toList(), Enrollments.Unresolved.ENROLL_WITHOUT)
                .thenReturn(List.of());
        EventHandler<MembershipRequested> requested = events -> enrollments.enroll(events.stream()
                        .map(event -> new EnrollmentRequest(event.member(), event.payload().getChannel(), event.payload().getRecruitmentCode(),
                                event.payload().getReferralCode(), event.payload().getReferrerCustomerId(), null, null, event.occurredAt()))
                        .toList(), Enrollments.Unresolved.ENROLL_WITHOUT)
                .thenReturn(List.of());
        return EventPipeline.consume("member-customers", Topics.CUSTOMERS)
                .group("member-service-customers")
                .handle(CustomerRegistered.class, registered)
                .handle(MembershipRequested.class, requested)
                .skip(CustomerProfileChanged.class, "not yet: profiles and consent are the next part of member-service (issue 8)")
                .skip(CustomerErasureRequested.class, "not yet: erasure is the next part of member-service (issue 8)")
                .build();
    }
}
