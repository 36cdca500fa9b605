package io.fugou.shop.catalogue;

/** What the simulated marketer sets up and the simulated buyers then act on: the printed codes and the spend that makes a member. */
public final class MarketingTerms {

    /** The QR code at the tills of the shops' offline stores. */
    public static final String TILL_QR = "TILL-QR";
    /** The code on the spring posters. */
    public static final String SPRING_POSTER = "SPRING-POSTER";
    /** A guest whose order reaches this much (99 yuan) becomes a member. */
    public static final long AUTO_ENROLL_MINIMUM_SPEND_MINOR = 9_900;

    private MarketingTerms() {
    }
}
