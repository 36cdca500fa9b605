package io.fugou.member.enrollment.events;

import io.fugou.events.Topics;
import io.fugou.events.common.Consent;
import io.fugou.events.customers.CustomerErasureRequested;
import io.fugou.events.customers.CustomerEvent;
import io.fugou.events.customers.CustomerProfileChanged;
import io.fugou.events.customers.CustomerRegistered;
import io.fugou.events.customers.MembershipRequested;
import io.fugou.events.customers.ProfileField;
import io.fugou.member.enrollment.EnrollmentRequest;
import io.fugou.member.enrollment.Enrollments;
import io.fugou.member.profile.Profile;
import io.fugou.member.profile.ProfileChange;
import io.fugou.member.profile.Profiles;
import io.fugou.platform.kafka.InvalidEventException;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.Outbound;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;

/**
 * The shop's buyers: who joins (at registration, {@code joinedMembership}, or later through a poster or QR code),
 * their profile and consent, and their requests to be erased. Events go through the outbox, which the orders
 * pipeline relays, so each member's events keep one order whichever topic or request caused them.
 */
@Configuration(proxyBeanMethods = false)
class CustomerEventsPipeline {

    @Bean
    EventPipeline<CustomerEvent> memberCustomers(Enrollments enrollments, Profiles profiles) {
        EventHandler<CustomerRegistered> registered = new EventHandler<>() {
            @Override
            public void check(Inbound<CustomerRegistered> event) {
                checkBirthday(event.payload().getBirthday(), event.occurredAt());
            }

            @Override
            public Mono<List<Outbound>> apply(List<Inbound<CustomerRegistered>> events) {
                return profiles.lock(events.stream().map(Inbound::member).toList())
                        .then(enrollments.enroll(events.stream()
                                .filter(event -> event.payload().getJoinedMembership())
                                .map(event -> new EnrollmentRequest(event.member(), event.payload().getChannel(), event.payload().getRecruitmentCode(),
                                        event.payload().getReferralCode(), event.payload().getReferrerCustomerId(), null, null, event.occurredAt()))
                                .toList(), Enrollments.Unresolved.ENROLL_WITHOUT))
                        .then(profiles.apply(events.stream().map(event -> new ProfileChange(event.member(), event.payload().getBirthday(),
                                event.payload().getGender(), event.payload().getRegion(), Set.of(), event.payload().getMarketingConsent(),
                                decisions(event.payload().getConsents()), event.occurredAt())).toList()))
                        .thenReturn(List.of());
            }
        };
        EventHandler<MembershipRequested> requested = events -> profiles.lock(events.stream().map(Inbound::member).toList())
                .then(enrollments.enroll(events.stream()
                        .map(event -> new EnrollmentRequest(event.member(), event.payload().getChannel(), event.payload().getRecruitmentCode(),
                                event.payload().getReferralCode(), event.payload().getReferrerCustomerId(), null, null, event.occurredAt()))
                        .toList(), Enrollments.Unresolved.ENROLL_WITHOUT))
                .thenReturn(List.of());
        EventHandler<CustomerProfileChanged> changed = new EventHandler<>() {
            @Override
            public void check(Inbound<CustomerProfileChanged> event) {
                CustomerProfileChanged change = event.payload();
                checkBirthday(change.getBirthday(), event.occurredAt());
                Set<ProfileField> cleared = cleared(change);
                if ((change.getBirthday() != null && cleared.contains(ProfileField.BIRTHDAY)) || (change.getGender() != null && cleared.contains(ProfileField.GENDER))
                        || (change.getRegion() != null && cleared.contains(ProfileField.REGION))) {
                    throw new InvalidEventException("a profile field is both set and named in clearedFields: " + cleared, null);
                }
            }

            @Override
            public Mono<List<Outbound>> apply(List<Inbound<CustomerProfileChanged>> events) {
                return profiles.lock(events.stream().map(Inbound::member).toList())
                        .then(profiles.apply(events.stream().map(event -> new ProfileChange(event.member(), event.payload().getBirthday(),
                                event.payload().getGender(), event.payload().getRegion(), cleared(event.payload()), event.payload().getMarketingConsent(),
                                decisions(event.payload().getConsents()), event.occurredAt())).toList()))
                        .thenReturn(List.of());
            }
        };
        EventHandler<CustomerErasureRequested> erasure = events -> profiles.lock(events.stream().map(Inbound::member).toList())
                .then(profiles.erase(events.stream()
                        .map(event -> new Profiles.Erasure(event.member(), event.payload().getRequestId(), event.occurredAt())).toList()))
                .thenReturn(List.of());
        return EventPipeline.consume("member-customers", Topics.CUSTOMERS)
                .group("member-service-customers")
                .handle(CustomerRegistered.class, registered)
                .handle(MembershipRequested.class, requested)
                .handle(CustomerProfileChanged.class, changed)
                .handle(CustomerErasureRequested.class, erasure)
                .build();
    }

    /** A birthday in the future is a mistake the shop must correct: the record goes to the dead-letter topic saying so. */
    private static void checkBirthday(LocalDate birthday, Instant occurredAt) {
        if (birthday != null && birthday.isAfter(LocalDate.ofInstant(occurredAt.plus(Duration.ofDays(1)), ZoneOffset.UTC))) {
            throw new InvalidEventException("birthday " + birthday + " is in the future", null);
        }
    }

    private static Set<ProfileField> cleared(CustomerProfileChanged change) {
        Set<ProfileField> cleared = EnumSet.noneOf(ProfileField.class);
        change.getClearedFields().stream().filter(field -> field != ProfileField.OTHER).forEach(cleared::add);
        return cleared;
    }

    static List<Profile.Decision> decisions(List<Consent> consents) {
        return consents.stream().map(consent -> new Profile.Decision(consent.getChannel(), consent.getGranted(), consent.getAt(), consent.getSource(),
                consent.getSourceDetail())).toList();
    }
}
