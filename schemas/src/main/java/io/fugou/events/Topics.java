package io.fugou.events;

import io.fugou.events.browsing.BrowsingEvent;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.customers.CustomerEvent;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.members.MemberProfile;
import io.fugou.events.notifications.NotificationEvent;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.points.PointsEvent;
import java.util.List;

/** Every topic of the platform. docs/events.md describes each one. */
public final class Topics {

    public static final Topic<OrderEvent> ORDERS =
            new Topic<>("commerce.orders.v1", OrderEvent.class, OrderEvent.getClassSchema(), false);
    public static final Topic<CustomerEvent> CUSTOMERS =
            new Topic<>("commerce.customers.v1", CustomerEvent.class, CustomerEvent.getClassSchema(), false);
    public static final Topic<BrowsingEvent> BROWSING =
            new Topic<>("commerce.browsing.v1", BrowsingEvent.class, BrowsingEvent.getClassSchema(), false);
    public static final Topic<MemberEvent> MEMBERS =
            new Topic<>("fugou.members.v1", MemberEvent.class, MemberEvent.getClassSchema(), false);
    public static final Topic<MemberProfile> MEMBER_PROFILES =
            new Topic<>("fugou.member-profiles.v1", MemberProfile.class, MemberProfile.getClassSchema(), true);
    public static final Topic<PointsEvent> POINTS =
            new Topic<>("fugou.points.v1", PointsEvent.class, PointsEvent.getClassSchema(), false);
    public static final Topic<CampaignEvent> CAMPAIGNS =
            new Topic<>("fugou.campaigns.v1", CampaignEvent.class, CampaignEvent.getClassSchema(), false);
    public static final Topic<NotificationEvent> NOTIFICATIONS =
            new Topic<>("fugou.notifications.v1", NotificationEvent.class, NotificationEvent.getClassSchema(), false);
    public static final Topic<LifecycleEvent> LIFECYCLE =
            new Topic<>("fugou.lifecycle.v1", LifecycleEvent.class, LifecycleEvent.getClassSchema(), false);

    public static final List<Topic<?>> ALL = List.of(
            ORDERS, CUSTOMERS, BROWSING, MEMBERS, MEMBER_PROFILES, POINTS, CAMPAIGNS, NOTIFICATIONS, LIFECYCLE);

    /** The Java packages of the generated event classes, for Avro's class trust list. */
    public static final String EVENT_PACKAGES = "io.fugou.events";

    private Topics() {
    }
}
