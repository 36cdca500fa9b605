package io.fugou.campaign.events;

import io.fugou.campaign.campaigns.CampaignDefinition.TriggerType;
import io.fugou.campaign.issuing.BrowsingNudges;
import io.fugou.events.Topics;
import io.fugou.events.browsing.BrowsingEvent;
import io.fugou.events.browsing.CartAbandoned;
import io.fugou.events.browsing.ProductViewed;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The shop's browsing: a product viewed or a cart left starts the wait of each PRODUCT_VIEWED or CART_ABANDONED campaign. */
@Configuration(proxyBeanMethods = false)
class BrowsingEventsPipeline {

    @Bean
    EventPipeline<BrowsingEvent> campaignBrowsing(BrowsingNudges nudges) {
        EventHandler<ProductViewed> viewed = events -> nudges.watch(events.stream()
                        .map(event -> new BrowsingNudges.Seen(event.member(), TriggerType.PRODUCT_VIEWED, event.eventId(), event.payload().getCategory(),
                                event.occurredAt()))
                        .toList())
                .thenReturn(List.of());
        EventHandler<CartAbandoned> abandoned = events -> nudges.watch(events.stream()
                        .map(event -> new BrowsingNudges.Seen(event.member(), TriggerType.CART_ABANDONED, event.eventId(), null, event.occurredAt()))
                        .toList())
                .thenReturn(List.of());
        return EventPipeline.consume("campaign-browsing", Topics.BROWSING)
                .group("campaign-service-browsing")
                .handle(ProductViewed.class, viewed)
                .handle(CartAbandoned.class, abandoned)
                .build();
    }
}
