package io.fugou.loyalty;

import io.fugou.testsupport.ServiceSkeletonContract;

@LoyaltyIntegrationTest
class LoyaltyServiceApplicationIT extends ServiceSkeletonContract {

    @Override
    protected String expectedTable() {
        return "paid_order";
    }
}
