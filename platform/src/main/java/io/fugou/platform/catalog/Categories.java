package io.fugou.platform.catalog;

/** The shop's categories are paths ("drinks/beer"): a category covers itself and every category below it. */
public final class Categories {

    private Categories() {
    }

    /** Whether {@code category} is {@code parent} or below it ("drinks" covers "drinks/beer", not "drinkware"); false for a null category. */
    public static boolean covers(String parent, String category) {
        return category != null && (category.equals(parent) || category.startsWith(parent + "/"));
    }
}
