package io.fugou.campaign.issuing;

import io.fugou.campaign.campaigns.CampaignDefinition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Which group a member is in for a campaign: a hash of the merchant, campaign and member, not a stored coin flip, so the
 * same member gets the same group every time, a replay included, and the holdout is a fixed share of every audience.
 */
public final class Assignments {

    private static final int BUCKETS = 10_000;

    /** TREATMENT with a variant, or HOLDOUT (variant null). */
    public record Group(boolean holdout, CampaignDefinition.Variant variant) {
    }

    private Assignments() {
    }

    public static Group groupOf(String merchantId, String campaignId, String customerId, CampaignDefinition definition) {
        int bucket = bucket(merchantId + '\u0000' + campaignId + '\u0000' + customerId);
        int holdout = definition.holdoutPercent() * BUCKETS / 100;
        if (bucket < holdout) {
            return new Group(true, null);
        }
        // The rest is split by the variants' weights, in their order.
        int position = (bucket - holdout) * 100 / (BUCKETS - holdout);
        int upTo = 0;
        for (CampaignDefinition.Variant variant : definition.assignable()) {
            upTo += variant.weight();
            if (position < upTo) {
                return new Group(false, variant);
            }
        }
        return new Group(false, definition.assignable().get(definition.assignable().size() - 1));
    }

    static int bucket(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return (int) Long.remainderUnsigned(ByteBuffer.wrap(digest).getLong(), BUCKETS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
