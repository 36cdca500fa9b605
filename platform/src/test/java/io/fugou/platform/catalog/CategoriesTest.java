package io.fugou.platform.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CategoriesTest {

    @Test
    void shouldCoverTheCategoryAndThoseBelowItOnly() {
        assertThat(Categories.covers("drinks", "drinks")).isTrue();
        assertThat(Categories.covers("drinks", "drinks/beer")).isTrue();
        assertThat(Categories.covers("drinks", "drinks/beer/lager")).isTrue();
        assertThat(Categories.covers("drinks", "drinkware")).as("a name that merely starts the same").isFalse();
        assertThat(Categories.covers("drinks/beer", "drinks")).as("a parent is not below its child").isFalse();
        assertThat(Categories.covers("drinks", null)).isFalse();
    }
}
