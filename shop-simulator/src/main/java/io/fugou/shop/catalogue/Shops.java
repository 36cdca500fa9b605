package io.fugou.shop.catalogue;

import java.util.List;

/**
 * The simulated merchants. The first, {@code demo-merchant}, is the craft-beer shop of the 101-bottle story
 * (DOMAIN.md, "Points"): a pack of 101 bottles paid once and drawn bottle by bottle. The second sells tea, so the
 * dashboard of one never shows the other's buyers.
 */
public final class Shops {

    public static final String DEMO_MERCHANT = "demo-merchant";

    private Shops() {
    }

    public static List<Shop> all() {
        return List.of(craftBeer(), teaHouse());
    }

    static Shop craftBeer() {
        Product bottle = new Product("BEER-101", "101 号精酿 IPA 330ml", "drinks/beer", 1_290, 10, 30);
        return new Shop(DEMO_MERCHANT, "精酿小站 (craft beer)", "CNY", List.of(
                bottle,
                new Product("BEER-WHEAT", "小麦白啤 500ml", "drinks/beer", 1_590, 12, 20),
                new Product("BEER-STOUT", "燕麦世涛 330ml", "drinks/beer", 1_890, 14, 10),
                new Product("CIDER-APPLE", "苹果西打 330ml", "drinks/cider", 1_490, 14, 8),
                new Product("WINE-RED", "宁夏赤霞珠 750ml", "drinks/wine", 12_800, 30, 6),
                new Product("SNACK-PEANUT", "椒盐花生 200g", "snacks/nuts", 1_200, 9, 18),
                new Product("SNACK-JERKY", "牛肉干 150g", "snacks/meat", 3_900, 16, 9),
                new Product("SNACK-CHIPS", "海苔薯片 100g", "snacks/chips", 890, 7, 14),
                new Product("GLASS-PINT", "品脱杯", "glassware", 4_900, 0, 4),
                new Product("OPENER", "开瓶器", "accessories", 1_900, 0, 3),
                new Product("GIFTBOX-CNY", "新春精酿礼盒", "gifts", 19_800, 0, 2)),
                new Product("BEER-101-PACK", "101 瓶畅饮卡", "drinks/beer", 99_900, 0, 1), "BEER-101", 101,
                new Product("PLUS-1Y", "PLUS 会员年卡", "membership", 8_800, 0, 1),
                24);
    }

    static Shop teaHouse() {
        Product oolong = new Product("TEA-OOLONG", "安溪铁观音 100g", "tea/oolong", 6_800, 30, 20);
        return new Shop("tea-house", "一叶茶舍 (tea house)", "CNY", List.of(
                oolong,
                new Product("TEA-GREEN", "明前龙井 50g", "tea/green", 12_800, 28, 16),
                new Product("TEA-PUER", "普洱熟茶饼 357g", "tea/puer", 16_800, 60, 8),
                new Product("TEA-BLACK", "正山小种 100g", "tea/black", 5_800, 30, 12),
                new Product("TEA-BAGS", "花草茶包 20 袋", "tea/herbal", 3_900, 20, 14),
                new Product("CAKE-MOON", "茶点酥饼 6 枚", "snacks/pastry", 4_800, 12, 10),
                new Product("POT-CLAY", "紫砂壶", "teaware", 38_800, 0, 2),
                new Product("CUP-SET", "白瓷品茗杯 6 只", "teaware", 9_900, 0, 3),
                new Product("GIFTBOX-TEA", "茶礼盒", "gifts", 29_800, 0, 3)),
                new Product("TEA-OOLONG-CARD", "铁观音 10 罐预存卡", "tea/oolong", 59_800, 0, 1), "TEA-OOLONG", 10,
                new Product("TEA-CLUB-1Y", "茶友会年卡", "membership", 12_800, 0, 1),
                12);
    }
}
