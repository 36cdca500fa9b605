package io.fugou.testsupport;

import io.fugou.events.common.Money;
import io.fugou.events.orders.CouponRedemption;
import io.fugou.events.orders.FulfilledLine;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderFulfilled;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import io.fugou.events.orders.ReceiptConfirmation;
import io.fugou.events.orders.RefundedLine;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * Valid order events in one call; change what a test cares about with the builders.
 * A paid order's lines carry line ids ({@code L1}, {@code L2}... in order, unless given) and a
 * {@code paidAmount} each, which add up to the order's total, so refunds can name lines.
 */
public final class OrderEventMother {

    public static final String CURRENCY = "CNY";

    private OrderEventMother() {
    }

    public static Money yuan(long minorUnits) {
        return Money.newBuilder().setAmountMinor(minorUnits).setCurrency(CURRENCY).build();
    }

    /** A line without an id: {@link #paid} numbers it. */
    public static OrderLine line(String sku, String category, int quantity, long unitPriceMinor) {
        return OrderLine.newBuilder().setSku(sku).setCategory(category).setQuantity(quantity).setUnitPrice(yuan(unitPriceMinor)).build();
    }

    public static OrderLine line(String lineId, String sku, String category, int quantity, long unitPriceMinor) {
        return OrderLine.newBuilder().setLineId(lineId).setSku(sku).setCategory(category).setQuantity(quantity)
                .setUnitPrice(yuan(unitPriceMinor)).build();
    }

    /** A paid order of two bottles at 129.00 (line {@code L1}). */
    public static OrderEvent paid(String merchantId, String customerId, String orderId) {
        return paid(merchantId, customerId, orderId, List.of(line("BEER-101", "drinks/beer", 2, 12_900)));
    }

    /** The lines as given, each paid at unitPrice × quantity less its lineDiscount; no order-level discount. */
    public static OrderEvent paid(String merchantId, String customerId, String orderId, List<OrderLine> lines) {
        return paid(merchantId, customerId, orderId, lines, List.of());
    }

    /**
     * The lines with one order-level coupon: its discount is shared over the lines in proportion to
     * what each costs after its lineDiscount (to the minor unit, the remainder on the largest lines).
     */
    public static OrderEvent paidWithCoupon(String merchantId, String customerId, String orderId, List<OrderLine> lines,
                                            String couponCode, long discountMinor) {
        return paid(merchantId, customerId, orderId, lines,
                List.of(CouponRedemption.newBuilder().setCode(couponCode).setDiscount(yuan(discountMinor)).build()));
    }

    private static OrderEvent paid(String merchantId, String customerId, String orderId, List<OrderLine> lines,
                                   List<CouponRedemption> coupons) {
        long[] beforeCoupons = lines.stream().mapToLong(l -> l.getUnitPrice().getAmountMinor() * l.getQuantity()
                - (l.getLineDiscount() == null ? 0 : l.getLineDiscount().getAmountMinor())).toArray();
        long couponDiscount = coupons.stream().mapToLong(c -> c.getDiscount().getAmountMinor()).sum();
        long[] shares = share(couponDiscount, beforeCoupons);
        List<OrderLine> paidLines = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            OrderLine given = lines.get(i);
            // Field by field: newBuilder(given) deep-copies, which Avro allows only for trusted packages.
            OrderLine.Builder paidLine = OrderLine.newBuilder().setSku(given.getSku()).setProductId(given.getProductId())
                    .setCategory(given.getCategory()).setQuantity(given.getQuantity()).setUnitPrice(given.getUnitPrice())
                    .setLineDiscount(given.getLineDiscount()).setLineId(given.getLineId()).setPaidAmount(given.getPaidAmount());
            if (given.getLineId() == null) {
                paidLine.setLineId("L" + (i + 1));
            }
            if (given.getPaidAmount() == null) {
                paidLine.setPaidAmount(yuan(beforeCoupons[i] - shares[i]));
            }
            paidLines.add(paidLine.build());
        }
        long total = paidLines.stream().mapToLong(l -> l.getPaidAmount().getAmountMinor()).sum();
        long listed = lines.stream().mapToLong(l -> l.getUnitPrice().getAmountMinor() * l.getQuantity()).sum();
        return envelope(merchantId, customerId).setPayload(OrderPaid.newBuilder()
                .setOrderId(orderId)
                .setLines(paidLines)
                .setTotal(yuan(total))
                .setDiscount(listed == total ? null : yuan(listed - total))
                .setCouponCodes(coupons.stream().map(CouponRedemption::getCode).toList())
                .setCouponRedemptions(coupons)
                .setSalesChannel("app")
                .build()).build();
    }

    /** {@code amount} shared over {@code weights} in proportion, to the unit; what rounding leaves goes to the largest weights. */
    private static long[] share(long amount, long[] weights) {
        long sum = Arrays.stream(weights).sum();
        if (amount > sum) {
            throw new IllegalArgumentException("a discount of " + amount + " is more than the " + sum + " the lines cost");
        }
        long[] shares = Arrays.stream(weights).map(w -> sum == 0 ? 0 : Math.multiplyExact(amount, w) / sum).toArray();
        long left = amount - Arrays.stream(shares).sum();
        List<Integer> largestFirst = IntStream.range(0, weights.length).boxed()
                .sorted(Comparator.comparingLong((Integer i) -> weights[i]).reversed()).toList();
        for (int i = 0; left > 0; i = (i + 1) % largestFirst.size(), left--) {
            shares[largestFirst.get(i)]++;
        }
        return shares;
    }

    /** A refund of money only: it names no lines. */
    public static OrderEvent refunded(String merchantId, String customerId, String orderId, long amountMinor) {
        return envelope(merchantId, customerId).setPayload(OrderRefunded.newBuilder()
                .setOrderId(orderId)
                .setRefundId(UUID.randomUUID().toString())
                .setAmount(yuan(amountMinor))
                .build()).build();
    }

    /** A refund of the given lines ({@link #refundedLine}); its amount is what they add up to. */
    public static OrderEvent refunded(String merchantId, String customerId, String orderId, List<RefundedLine> lines) {
        return envelope(merchantId, customerId).setPayload(lineRefund(orderId, lines).build()).build();
    }

    /** Every line of a paid order ({@link #paid}) refunded in full. */
    public static OrderEvent fullyRefunded(OrderEvent paidOrder) {
        OrderPaid paid = (OrderPaid) paidOrder.getPayload();
        List<RefundedLine> lines = paid.getLines().stream().map(l -> refundedLine(l, l.getQuantity())).toList();
        return envelope(paidOrder.getMerchantId(), paidOrder.getCustomerId())
                .setPayload(lineRefund(paid.getOrderId(), lines).setFullRefund(true).build()).build();
    }

    private static OrderRefunded.Builder lineRefund(String orderId, List<RefundedLine> lines) {
        return OrderRefunded.newBuilder()
                .setOrderId(orderId)
                .setRefundId(UUID.randomUUID().toString())
                .setAmount(yuan(lines.stream().mapToLong(l -> l.getAmount().getAmountMinor()).sum()))
                .setLines(lines);
    }

    /** {@code quantity} units of a paid line, refunded at their share of its paidAmount. */
    public static RefundedLine refundedLine(OrderLine paidLine, int quantity) {
        if (paidLine.getPaidAmount() == null) {
            throw new IllegalArgumentException("the line has no paidAmount: take it from an order built by paid(...)");
        }
        return RefundedLine.newBuilder()
                .setLineId(paidLine.getLineId())
                .setSku(paidLine.getSku())
                .setQuantity(quantity)
                .setAmount(yuan(paidLine.getPaidAmount().getAmountMinor() * quantity / paidLine.getQuantity()))
                .build();
    }

    public static OrderEvent cancelled(String merchantId, String customerId, String orderId) {
        return envelope(merchantId, customerId).setPayload(OrderCancelled.newBuilder().setOrderId(orderId).build()).build();
    }

    /** The buyer confirmed receipt of the whole order (确认收货), now. */
    public static OrderEvent fulfilled(String merchantId, String customerId, String orderId) {
        return envelope(merchantId, customerId).setPayload(OrderFulfilled.newBuilder()
                .setOrderId(orderId)
                .setConfirmedBy(ReceiptConfirmation.BUYER)
                .build()).build();
    }

    /** The buyer confirmed receipt of one parcel holding all units of the given paid lines, now. */
    public static OrderEvent fulfilled(String merchantId, String customerId, String orderId, String fulfillmentId, List<OrderLine> lines) {
        return envelope(merchantId, customerId).setPayload(OrderFulfilled.newBuilder()
                .setOrderId(orderId)
                .setFulfillmentId(fulfillmentId)
                .setLines(lines.stream().map(l -> FulfilledLine.newBuilder()
                        .setLineId(l.getLineId()).setSku(l.getSku()).setQuantity(l.getQuantity()).build()).toList())
                .setConfirmedBy(ReceiptConfirmation.BUYER)
                .build()).build();
    }

    public static OrderEvent.Builder envelope(String merchantId, String customerId) {
        return OrderEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(merchantId)
                .setCustomerId(customerId);
    }
}
