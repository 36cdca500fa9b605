package io.fugou.loyalty;

import io.fugou.testsupport.FugouIntegrationTest;
import io.fugou.testsupport.ServiceSkeletonContract;

@FugouIntegrationTest
class LoyaltyServiceApplicationIT extends ServiceSkeletonContract {

    @Override
    protected String expectedTable() {
        return "paid_order";
    }
}
