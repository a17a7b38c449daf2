package io.tally.worker.batch;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Finds the elements of a list that make an all-or-nothing operation fail, by halving: the operation is applied to the
 * whole list; when it fails permanently, to each half in order, and so on, until a failing element stands alone and
 * is handed to {@code isolate}. Every other element ends up in exactly one successful application, and the parts are
 * applied, and merged, in list order.
 *
 * <p>A transient failure ({@code isTransient}) is rethrown at once: the caller retries the whole list later. Pure apart
 * from what the given functions do; not thread-safe if they are not.
 */
public final class Bisection {

    private Bisection() {}

    /**
     * @param applyAll applies a non-empty sublist all or nothing, or throws
     * @param isolate the outcome for one element that failed alone with the given failure
     * @param merge the outcome of two consecutive parts, first then second
     */
    public static <T, R> R apply(
            List<T> elements,
            Function<List<T>, R> applyAll,
            BiFunction<T, RuntimeException, R> isolate,
            BinaryOperator<R> merge,
            Predicate<Throwable> isTransient,
            java.util.function.BiConsumer<Integer, RuntimeException> onSplit) {
        try {
            return applyAll.apply(elements);
        } catch (RuntimeException failure) {
            if (isTransient.test(failure)) {
                throw failure;
            }
            if (elements.size() == 1) {
                return isolate.apply(elements.getFirst(), failure);
            }
            onSplit.accept(elements.size(), failure);
            int middle = elements.size() / 2;
            R first = apply(elements.subList(0, middle), applyAll, isolate, merge, isTransient, onSplit);
            R second = apply(elements.subList(middle, elements.size()), applyAll, isolate, merge, isTransient, onSplit);
            return merge.apply(first, second);
        }
    }
}
