package io.fugou.shop.catalogue;

/**
 * Something a shop sells. {@code replenishDays} is how long a typical unit lasts a buyer (0: bought once, not used up);
 * {@code popularity} weighs how often it is chosen among its category's products.
 */
public record Product(String sku, String name, String category, long priceMinor, int replenishDays, int popularity) {

    public Product {
        if (priceMinor <= 0 || popularity <= 0 || replenishDays < 0) {
            throw new IllegalArgumentException("price and popularity must be positive, replenishment days not negative: " + sku);
        }
    }

    /** The category at the top of the path ({@code drinks} for {@code drinks/beer}). */
    public String topCategory() {
        int slash = category.indexOf('/');
        return slash < 0 ? category : category.substring(0, slash);
    }
}
