package io.fugou.events;

import io.fugou.events.browsing.BrowsingEvent;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.customers.CustomerEvent;
import io.fugou.events.insights.MerchantInsights;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.members.MemberProfile;
import io.fugou.events.members.MembershipProgram;
import io.fugou.events.notifications.NotificationEvent;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.points.PointsEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Every topic of the platform. docs/events.md describes each one. */
public final class Topics {

    /**
     * How long a dead letter of a topic with personal data is kept: long enough to fix the cause and
     * replay it, short enough that an erased member's data does not linger (docs/architecture.md, erasure).
     */
    public static final String PERSONAL_DATA_DEAD_LETTER_RETENTION_MS = Long.toString(Duration.ofDays(7).toMillis());
    /**
     * The compacted profile topic rolls a segment at least hourly and compacts every value within a
     * day, so an erasure tombstone removes the member's earlier values within about 25 hours.
     */
    public static final String PROFILE_MAX_COMPACTION_LAG_MS = Long.toString(Duration.ofDays(1).toMillis());
    public static final String PROFILE_SEGMENT_MS = Long.toString(Duration.ofHours(1).toMillis());

    public static final Topic<OrderEvent> ORDERS =
            kept("commerce.orders.v1", OrderEvent.class, OrderEvent.getClassSchema(), false);
    public static final Topic<CustomerEvent> CUSTOMERS =
            kept("commerce.customers.v1", CustomerEvent.class, CustomerEvent.getClassSchema(), true);
    public static final Topic<BrowsingEvent> BROWSING =
            kept("commerce.browsing.v1", BrowsingEvent.class, BrowsingEvent.getClassSchema(), false);
    public static final Topic<MemberEvent> MEMBERS =
            kept("fugou.members.v1", MemberEvent.class, MemberEvent.getClassSchema(), false);
    public static final Topic<MemberProfile> MEMBER_PROFILES = new Topic<>("fugou.member-profiles.v1", MemberProfile.class,
            MemberProfile.getClassSchema(),
            Map.of("cleanup.policy", "compact", "max.compaction.lag.ms", PROFILE_MAX_COMPACTION_LAG_MS, "segment.ms", PROFILE_SEGMENT_MS),
            Map.of("retention.ms", PERSONAL_DATA_DEAD_LETTER_RETENTION_MS), true);
    /** Keyed by merchantId, not by member: a programme is the merchant's. */
    public static final Topic<MembershipProgram> MEMBERSHIP_PROGRAMS = new Topic<>("fugou.membership-programs.v1", MembershipProgram.class,
            MembershipProgram.getClassSchema(), Map.of("cleanup.policy", "compact"), Map.of(), false);
    public static final Topic<PointsEvent> POINTS =
            kept("fugou.points.v1", PointsEvent.class, PointsEvent.getClassSchema(), false);
    public static final Topic<CampaignEvent> CAMPAIGNS =
            kept("fugou.campaigns.v1", CampaignEvent.class, CampaignEvent.getClassSchema(), false);
    public static final Topic<NotificationEvent> NOTIFICATIONS =
            kept("fugou.notifications.v1", NotificationEvent.class, NotificationEvent.getClassSchema(), true);
    public static final Topic<LifecycleEvent> LIFECYCLE =
            kept("fugou.lifecycle.v1", LifecycleEvent.class, LifecycleEvent.getClassSchema(), false);

    /** Keyed by merchantId: what analytics learnt of a merchant's buyers as a whole (the categories bought next). */
    public static final Topic<MerchantInsights> MERCHANT_INSIGHTS = new Topic<>("fugou.merchant-insights.v1", MerchantInsights.class,
            MerchantInsights.getClassSchema(), Map.of("cleanup.policy", "compact"), Map.of(), false);

    public static final List<Topic<?>> ALL = List.of(
            ORDERS, CUSTOMERS, BROWSING, MEMBERS, MEMBER_PROFILES, MEMBERSHIP_PROGRAMS, POINTS, CAMPAIGNS, NOTIFICATIONS, LIFECYCLE, MERCHANT_INSIGHTS);

    /** The topics keyed by {@code merchantId} alone, not by member: what they carry is the merchant's. */
    public static final List<Topic<?>> KEYED_BY_MERCHANT = List.of(MEMBERSHIP_PROGRAMS, MERCHANT_INSIGHTS);

    /** The Java packages of the generated event classes, for Avro's class trust list. */
    public static final String EVENT_PACKAGES = "io.fugou.events";

    private Topics() {
    }

    /** A topic kept by retention; its dead letters are kept briefly when it carries personal data. */
    private static <V extends org.apache.avro.specific.SpecificRecord> Topic<V> kept(String name, Class<V> type, org.apache.avro.Schema schema,
                                                                                    boolean personalData) {
        return new Topic<>(name, type, schema, Map.of(),
                personalData ? Map.of("retention.ms", PERSONAL_DATA_DEAD_LETTER_RETENTION_MS) : Map.of(), personalData);
    }
}
