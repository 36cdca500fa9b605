package io.fugou.shop.world;

import io.fugou.events.common.EnrollmentChannel;
import io.fugou.shop.catalogue.Product;
import io.fugou.shop.catalogue.MarketingTerms;
import io.fugou.shop.catalogue.Shop;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One simulated buyer of one shop: traits drawn once from the buyer's own random stream (so a coupon that reaches one
 * buyer changes nobody else's story), and what the shop knows of them so far.
 */
final class Buyer {

    final Shop shop;
    final String customerId;
    final SplittableRandom random;
    final EnrollmentChannel channel;
    final String recruitmentCode;
    final boolean joinsAtRegistration;
    /** Mean days between two orders while the buyer stays: their own rhythm. */
    final double rhythmDays;
    /** The chance that an order is their last (some buyers drift away sooner than others). */
    final double churnPerOrder;
    /** How much a coupon in the wallet draws them back, 0 to 1. */
    final double couponAffinity;
    final boolean neverBuys;
    /** Weight of each of the shop's products in this buyer's basket. */
    final double[] taste;

    String referrerCustomerId;
    int orders;
    boolean member;
    boolean churned;
    boolean paidMember;
    int bundleUnits;
    /** Raised whenever the next order is moved, so the order scheduled before is dropped. */
    long orderGeneration;
    Instant nextOrderAt;
    final Map<String, Instant> runsOutAt = new LinkedHashMap<>();
    final List<HeldCoupon> wallet = new ArrayList<>();
    final List<Product> lastViewed = new ArrayList<>();

    Buyer(Shop shop, String customerId, long seed) {
        this.shop = shop;
        this.customerId = customerId;
        this.random = new SplittableRandom(seed);
        double channelDraw = random.nextDouble();
        if (channelDraw < 0.25) {
            channel = EnrollmentChannel.SHOP_HOME;
        } else if (channelDraw < 0.35) {
            channel = EnrollmentChannel.PRODUCT_PAGE;
        } else if (channelDraw < 0.47) {
            channel = EnrollmentChannel.QR_CODE;
        } else if (channelDraw < 0.55) {
            channel = EnrollmentChannel.POSTER;
        } else if (channelDraw < 0.60) {
            channel = EnrollmentChannel.SHARED_LINK;
        } else if (channelDraw < 0.72) {
            channel = EnrollmentChannel.REFERRAL;
        } else {
            channel = null; // a guest: registers an account without joining, may become a member by buying enough
        }
        recruitmentCode = channel == EnrollmentChannel.QR_CODE ? MarketingTerms.TILL_QR
                : channel == EnrollmentChannel.POSTER ? MarketingTerms.SPRING_POSTER : null;
        joinsAtRegistration = channel != null;
        // Log-normal rhythms: most buyers come back every two to five weeks, a few every week, a few twice a year.
        rhythmDays = Math.max(4, 24 * StrictMath.exp(0.6 * random.nextGaussian()));
        churnPerOrder = 0.04 + 0.22 * random.nextDouble() * random.nextDouble();
        couponAffinity = random.nextDouble();
        neverBuys = random.nextDouble() < 0.22;
        taste = taste(shop, random);
    }

    /** Two favourite top categories weigh six times the rest. */
    private static double[] taste(Shop shop, SplittableRandom random) {
        List<String> tops = shop.products().stream().map(Product::topCategory).distinct().toList();
        String first = tops.get(random.nextInt(tops.size()));
        String second = tops.get(random.nextInt(tops.size()));
        double[] weights = new double[shop.products().size()];
        for (int i = 0; i < weights.length; i++) {
            Product product = shop.products().get(i);
            boolean favourite = product.topCategory().equals(first) || product.topCategory().equals(second);
            weights[i] = product.popularity() * (favourite ? 6 : 1);
        }
        return weights;
    }

    Product pickProduct() {
        double total = 0;
        for (double weight : taste) {
            total += weight;
        }
        double left = random.nextDouble() * total;
        for (int i = 0; i < taste.length; i++) {
            left -= taste[i];
            if (left < 0) {
                return shop.products().get(i);
            }
        }
        return shop.products().get(taste.length - 1);
    }

    boolean likes(String sku) {
        for (int i = 0; i < taste.length; i++) {
            if (shop.products().get(i).sku().equals(sku)) {
                return taste[i] > shop.products().get(i).popularity();
            }
        }
        return false;
    }
}
