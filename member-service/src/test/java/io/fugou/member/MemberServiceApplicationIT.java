package io.fugou.member;

import io.fugou.testsupport.ServiceSkeletonContract;

@MemberIntegrationTest
class MemberServiceApplicationIT extends ServiceSkeletonContract {

    @Override
    protected String expectedTable() {
        return "member";
    }
}
