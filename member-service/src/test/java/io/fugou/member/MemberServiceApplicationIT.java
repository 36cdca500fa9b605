package io.fugou.member;

import io.fugou.testsupport.FugouIntegrationTest;
import io.fugou.testsupport.ServiceSkeletonContract;

@FugouIntegrationTest
class MemberServiceApplicationIT extends ServiceSkeletonContract {

    @Override
    protected String expectedTable() {
        return null; // no tables until the service issue brings them
    }
}
