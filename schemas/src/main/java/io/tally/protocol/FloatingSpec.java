package io.tally.protocol;

/**
 * Floating settings a Management API call gives, each optional: {@code null} means "as the product (or product
 * feature) says". Features take {@code floatingUsers}, {@code floatingTimeout} and {@code isFloatingCloud} only.
 *
 * @param floatingTimeout minutes a seat is held after its device's last check-in
 * @param maxBorrowTime hours a borrow may last at most
 */
public record FloatingSpec(
        Boolean isFloatingCloud,
        Integer floatingUsers,
        Integer floatingTimeout,
        Boolean canBorrow,
        Integer maxBorrowTime) {

    public static FloatingSpec none() {
        return new FloatingSpec(null, null, null, null, null);
    }
}
