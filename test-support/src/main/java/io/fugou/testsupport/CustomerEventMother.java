package io.fugou.testsupport;

import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.common.Gender;
import io.fugou.events.customers.CustomerEvent;
import io.fugou.events.customers.CustomerRegistered;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Valid customer events in one call. */
public final class CustomerEventMother {

    private CustomerEventMother() {
    }

    /** A buyer who registered on the shop's home page, joined membership and consented to marketing. */
    public static CustomerEvent registered(String merchantId, String customerId) {
        return CustomerEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(merchantId)
                .setCustomerId(customerId)
                .setPayload(CustomerRegistered.newBuilder()
                        .setChannel(EnrollmentChannel.SHOP_HOME)
                        .setJoinedMembership(true)
                        .setBirthday(LocalDate.of(1990, 5, 20))
                        .setGender(Gender.FEMALE)
                        .setRegion("CN-31")
                        .setMarketingConsent(true)
                        .build())
                .build();
    }
}
