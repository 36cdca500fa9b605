package io.fugou.loyalty.orders;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PaidOrderTest {

    @Test
    void shouldRefuseACurrencyThatIsNotAnIso4217Code() {
        assertThatThrownBy(() -> new PaidOrder("m", "o-1", "c", "e", 100, "yuan", 1, Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'yuan'");
    }

    @Test
    void shouldRefuseANegativeTotal() {
        assertThatThrownBy(() -> new PaidOrder("m", "o-1", "c", "e", -1, "CNY", 1, Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
    }
}
