package io.fugou.campaign.campaigns.web;

/** Worked examples of campaigns, one per trigger, shown in the API's documentation (and each checked by a test to be accepted). */
final class CampaignExamples {

    static final String MEMBER_ENROLLED = """
            {"name": "Welcome gift",
             "trigger": {"type": "MEMBER_ENROLLED"},
             "audience": {"everyone": true},
             "variants": [{"code": "ten-off", "weight": 50,
                           "reward": {"coupon": {"templateId": "welcome-10", "amountOffMinor": 1000, "currency": "CNY",
                                                 "minimumSpendMinor": 5000, "validDays": 30}}},
                          {"code": "points", "weight": 50, "reward": {"bonusPoints": 200, "bonusPointsValidDays": 90}}],
             "holdoutPercent": 10,
             "schedule": {"startsAt": "2027-01-01T00:00:00+08:00", "timeZone": "Asia/Shanghai"},
             "budget": {"total": 10000, "perMember": 1, "perDay": 1000}}""";

    static final String REFERRAL_ENROLLED = """
            {"name": "Bring a friend", "trigger": {"type": "REFERRAL_ENROLLED"}, "audience": {"everyone": true},
             "reward": {"coupon": {"templateId": "friend-20", "amountOffMinor": 2000, "currency": "CNY", "validDays": 14}}}""";

    static final String TIER_UPGRADED = """
            {"name": "Welcome to gold", "trigger": {"type": "TIER_UPGRADED", "toTier": "gold"}, "audience": {"tiers": ["gold"]},
             "reward": {"coupon": {"templateId": "gold-ship", "freeShipping": true, "validDays": 60}, "bonusPoints": 500}}""";

    static final String FIRST_ORDER = """
            {"name": "Come back for a second", "trigger": {"type": "FIRST_ORDER"}, "audience": {"everyone": true}, "holdoutPercent": 20,
             "reward": {"coupon": {"templateId": "second-order-15", "amountOffMinor": 1500, "currency": "CNY", "minimumSpendMinor": 9900,
                                   "validDays": 21},
                        "notification": {"channel": "APP_PUSH", "templateId": "second-order", "parameters": {"amount": "15"}}}}""";

    static final String NTH_ORDER = """
            {"name": "Third order thanks", "trigger": {"type": "NTH_ORDER", "orderNumber": 3}, "audience": {"everyone": true},
             "reward": {"bonusPoints": 300, "bonusPointsValidDays": 180}}""";

    static final String REFERRED_FIRST_ORDER = """
            {"name": "Your friend bought", "trigger": {"type": "REFERRED_FIRST_ORDER"}, "audience": {"everyone": true},
             "reward": {"bonusPoints": 1000}, "budget": {"perMember": 20}}""";

    static final String CATEGORY_BOUGHT = """
            {"name": "Snacks with your beer", "trigger": {"type": "CATEGORY_BOUGHT", "category": "drinks/beer"}, "audience": {"everyone": true},
             "reward": {"coupon": {"templateId": "snacks-5", "amountOffMinor": 500, "currency": "CNY", "validDays": 7, "categories": ["snacks"]}},
             "budget": {"perMember": 4}}""";

    static final String CATEGORY_BOUGHT_NEXT = """
            {"name": "What drinks buyers buy next", "trigger": {"type": "CATEGORY_BOUGHT", "category": "drinks"}, "audience": {"everyone": true},
             "reward": {"coupon": {"templateId": "next-10", "percentOff": 10, "maxDiscountMinor": 2000, "currency": "CNY", "validDays": 14,
                                   "categoryBoughtNext": true}},
             "budget": {"perMember": 2}}""";

    static final String STAGE_CHANGED = """
            {"name": "Win back", "trigger": {"type": "STAGE_CHANGED", "toStage": "AT_RISK"}, "audience": {"everyone": true}, "holdoutPercent": 20,
             "reward": {"coupon": {"templateId": "win-back-20", "percentOff": 20, "maxDiscountMinor": 5000, "currency": "CNY", "validDays": 14},
                        "notification": {"channel": "SMS", "templateId": "win-back"}},
             "budget": {"perMember": 3}}""";

    static final String POINTS_EXPIRING = """
            {"name": "Points about to expire", "trigger": {"type": "POINTS_EXPIRING"}, "audience": {"consentedTo": ["APP_PUSH"]},
             "reward": {"notification": {"channel": "APP_PUSH", "templateId": "points-expiring"}}, "budget": {"perMember": 12}}""";

    static final String BIRTHDAY = """
            {"name": "Happy birthday", "trigger": {"type": "BIRTHDAY", "days": 3}, "audience": {"everyone": true},
             "reward": {"coupon": {"templateId": "birthday-30", "amountOffMinor": 3000, "currency": "CNY", "minimumSpendMinor": 10000,
                                   "validDays": 10},
                        "notification": {"channel": "WECHAT", "templateId": "birthday"}},
             "budget": {"perMember": 100}}""";

    static final String REPLENISHMENT = """
            {"name": "Running low?", "trigger": {"type": "REPLENISHMENT", "days": 3}, "audience": {"everyone": true},
             "reward": {"coupon": {"templateId": "restock-8", "amountOffMinor": 800, "currency": "CNY", "validDays": 7},
                        "notification": {"channel": "APP_PUSH", "templateId": "restock"}},
             "budget": {"perMember": 50}}""";

    static final String ENROLLMENT_ANNIVERSARY = """
            {"name": "One more year with us", "trigger": {"type": "ENROLLMENT_ANNIVERSARY"}, "audience": {"everyone": true},
             "reward": {"bonusPoints": 520}, "budget": {"perMember": 100}}""";

    static final String NO_PURCHASE = """
            {"name": "We miss you", "trigger": {"type": "NO_PURCHASE", "days": 45}, "audience": {"everyone": true}, "holdoutPercent": 10,
             "reward": {"coupon": {"templateId": "miss-you-10", "amountOffMinor": 1000, "currency": "CNY", "validDays": 14}},
             "budget": {"perMember": 4}}""";

    static final String MEMBER_DAY = """
            {"name": "Member day, the 8th of each month", "trigger": {"type": "MEMBER_DAY", "dayOfMonth": 8}, "audience": {"everyone": true},
             "reward": {"coupon": {"templateId": "member-day-12", "percentOff": 12, "maxDiscountMinor": 3000, "currency": "CNY", "validDays": 1}},
             "schedule": {"timeZone": "Asia/Shanghai"}, "budget": {"perMember": 12, "perDay": 50000}}""";

    static final String PRODUCT_VIEWED = """
            {"name": "Still thinking about it?", "trigger": {"type": "PRODUCT_VIEWED", "category": "drinks/wine", "hours": 4},
             "audience": {"consentedTo": ["APP_PUSH"]},
             "reward": {"notification": {"channel": "APP_PUSH", "templateId": "viewed-wine"}}, "budget": {"perMember": 4}}""";

    static final String CART_ABANDONED = """
            {"name": "Your cart is waiting", "trigger": {"type": "CART_ABANDONED", "hours": 2}, "audience": {"everyone": true},
             "reward": {"coupon": {"templateId": "cart-ship", "freeShipping": true, "validDays": 2, "returnOnRefund": true}},
             "budget": {"perMember": 6}}""";

    private CampaignExamples() {
    }
}
