package io.fugou.loyalty;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Points from paid orders: earning rules, an append-only ledger, redemption, expiry, refund clawback. */
@SpringBootApplication
public class LoyaltyServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(LoyaltyServiceApplication.class, args);
    }
}
