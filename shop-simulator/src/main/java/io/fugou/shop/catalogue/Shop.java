package io.fugou.shop.catalogue;

import java.util.List;
import java.util.Optional;

/**
 * One simulated merchant: what it sells, in which currency, and its two special SKUs: a bundle (a pack of units
 * drawn later, order by order) and the paid-membership plan.
 *
 * @param newBuyersPerDay buyers who register on an ordinary day (seasons and weekends raise it)
 */
public record Shop(String merchantId, String name, String currency, List<Product> products, Product bundle, String bundleCovers,
                   int bundleUnits, Product paidMembership, double newBuyersPerDay) {

    public Shop {
        products = List.copyOf(products);
        if (products.stream().noneMatch(product -> product.sku().equals(bundleCovers))) {
            throw new IllegalArgumentException(merchantId + ": the bundle must cover a product on sale: " + bundleCovers);
        }
    }

    public Optional<Product> product(String sku) {
        return products.stream().filter(product -> product.sku().equals(sku)).findFirst();
    }

    public List<String> categories() {
        return products.stream().map(Product::category).distinct().toList();
    }
}
