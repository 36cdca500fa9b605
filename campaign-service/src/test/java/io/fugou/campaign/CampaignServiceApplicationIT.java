package io.fugou.campaign;

import io.fugou.testsupport.ServiceSkeletonContract;

@CampaignIntegrationTest
class CampaignServiceApplicationIT extends ServiceSkeletonContract {

    @Override
    protected String expectedTable() {
        return "campaign";
    }
}
