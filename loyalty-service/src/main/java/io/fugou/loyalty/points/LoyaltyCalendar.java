package io.fugou.loyalty.points;

import io.fugou.loyalty.orders.PaidOrders;
import io.fugou.loyalty.rules.EarningRules;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.schedule.MerchantCalendar;
import java.time.ZoneId;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/** The merchants the daily jobs visit: those with rules of their own or points still pending, each in the zone of its latest rules. */
@Component
class LoyaltyCalendar implements MerchantCalendar {

    private final RuleBook rules;
    private final PaidOrders paidOrders;

    LoyaltyCalendar(RuleBook rules, PaidOrders paidOrders) {
        this.rules = rules;
        this.paidOrders = paidOrders;
    }

    @Override
    public Flux<MerchantZone> merchants() {
        ZoneId fallback = EarningRules.defaults().zone();
        return rules.merchantZones().collectMap(Map.Entry::getKey, Map.Entry::getValue).flatMapMany(zones -> Flux.concat(
                Flux.fromIterable(zones.entrySet()).map(zone -> new MerchantZone(new MerchantId(zone.getKey()),
                        zone.getValue() == null ? fallback : ZoneId.of(zone.getValue()))),
                paidOrders.merchantsWithPendingPoints().filter(merchant -> !zones.containsKey(merchant))
                        .map(merchant -> new MerchantZone(new MerchantId(merchant), fallback))));
    }
}
