package io.fugou.testsupport;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.security.LocalTokens;
import java.time.Duration;
import java.util.List;

/** Bearer tokens for tests, signed with the service's local key. */
public final class TestTokens {

    private final LocalTokens tokens;

    public TestTokens(LocalTokens tokens) {
        this.tokens = tokens;
    }

    /**
     * Valid a day from the service's clock: tests move that clock (minutes back, days ahead) while tokens are checked against
     * real time, so a short-lived token minted on a moved clock would be expired on arrival.
     */
    public String forMerchant(String merchantId, String... scopes) {
        return tokens.issue(new MerchantId(merchantId), List.of(scopes), Duration.ofDays(1)).token();
    }
}
