package io.fugou.member.profile;

import io.fugou.events.common.ConsentChannel;
import io.fugou.events.common.ConsentSource;
import io.fugou.events.common.Gender;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * A buyer's profile: birthday, gender, region, and their consent to marketing, channel by channel, each decision with
 * its time and where it was made. {@code marketingConsent} is true exactly when some channel is granted, or, with no
 * decision per channel, whatever the shop reported for all of them.
 */
public record Profile(LocalDate birthday, Gender gender, String region, boolean marketingConsent, List<Decision> consents, Instant updatedAt,
                      Instant completedAt) {

    /** One consent decision: the latest per channel counts. */
    public record Decision(ConsentChannel channel, boolean granted, Instant at, ConsentSource source, String sourceDetail) {
    }

    public static final Profile EMPTY = new Profile(null, Gender.UNDISCLOSED, null, false, List.of(), null, null);

    /** Whether every field is filled: the first time it is, the member completed their profile (interaction points). */
    public boolean complete() {
        return birthday != null && gender != Gender.UNDISCLOSED && region != null;
    }

    /** The channels the member may be sent marketing on. */
    public List<ConsentChannel> grantedChannels() {
        if (consents.isEmpty()) {
            return marketingConsent ? List.of(ConsentChannel.SMS, ConsentChannel.APP_PUSH, ConsentChannel.WECHAT, ConsentChannel.EMAIL) : List.of();
        }
        return consents.stream().filter(Decision::granted).map(Decision::channel).sorted().toList();
    }
}
