package io.fugou.testsupport;

import io.fugou.events.common.Consent;
import io.fugou.events.common.ConsentChannel;
import io.fugou.events.common.ConsentSource;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.common.Gender;
import io.fugou.events.customers.CustomerEvent;
import io.fugou.events.customers.CustomerProfileChanged;
import io.fugou.events.customers.CustomerRegistered;
import io.fugou.events.customers.ProfileField;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** Valid customer events in one call. */
public final class CustomerEventMother {

    /** The channels a buyer can consent to (every ConsentChannel but OTHER). */
    public static final List<ConsentChannel> CHANNELS = Arrays.stream(ConsentChannel.values())
            .filter(channel -> channel != ConsentChannel.OTHER).toList();

    private CustomerEventMother() {
    }

    /**
     * A buyer who registered on the shop's home page, joined membership and consented to marketing
     * on every channel.
     */
    public static CustomerEvent registered(String merchantId, String customerId) {
        CustomerEvent.Builder event = envelope(merchantId, customerId);
        return registered(event, CHANNELS.stream()
                .map(channel -> consent(channel, true, ConsentSource.REGISTRATION, event.getOccurredAt())).toList());
    }

    /** The same buyer, with the given consent decisions; marketingConsent says whether any grants consent. */
    public static CustomerEvent registered(String merchantId, String customerId, List<Consent> consents) {
        return registered(envelope(merchantId, customerId), consents);
    }

    private static CustomerEvent registered(CustomerEvent.Builder event, List<Consent> consents) {
        return event.setPayload(CustomerRegistered.newBuilder()
                        .setChannel(EnrollmentChannel.SHOP_HOME)
                        .setJoinedMembership(true)
                        .setBirthday(LocalDate.of(1990, 5, 20))
                        .setGender(Gender.FEMALE)
                        .setRegion("CN-31")
                        .setMarketingConsent(consents.stream().anyMatch(Consent::getGranted))
                        .setConsents(consents)
                        .build())
                .build();
    }

    /** The buyer removed profile fields (the others unchanged). */
    public static CustomerEvent profileCleared(String merchantId, String customerId, ProfileField... fields) {
        return envelope(merchantId, customerId)
                .setPayload(CustomerProfileChanged.newBuilder().setClearedFields(List.of(fields)).build())
                .build();
    }

    /**
     * The buyer changed consent on some channels (the others unchanged); {@code marketingConsent} is
     * the new summary over all channels, which only the caller knows.
     */
    public static CustomerEvent consentChanged(String merchantId, String customerId, boolean marketingConsent, Consent... consents) {
        return envelope(merchantId, customerId)
                .setPayload(CustomerProfileChanged.newBuilder().setMarketingConsent(marketingConsent).setConsents(List.of(consents)).build())
                .build();
    }

    /** A decision made in the shop's account settings, now. */
    public static Consent consent(ConsentChannel channel, boolean granted) {
        return consent(channel, granted, ConsentSource.ACCOUNT_SETTINGS, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    public static Consent consent(ConsentChannel channel, boolean granted, ConsentSource source, Instant at) {
        return Consent.newBuilder().setChannel(channel).setGranted(granted).setSource(source).setAt(at).build();
    }

    public static CustomerEvent.Builder envelope(String merchantId, String customerId) {
        return CustomerEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(merchantId)
                .setCustomerId(customerId);
    }
}
