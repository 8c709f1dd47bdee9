package dev.distill.task.metric;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * COCO-style detection metrics.
 *
 * @param map mAP@[.5:.95]: the mean over {@link #evaluatedCategories()} of each category's AP
 *     averaged over the IoU thresholds {@code 0.50, 0.55, …, 0.95}, in {@code [0, 1]}; {@code NaN}
 *     if no category has ground truth
 * @param map50 mAP@0.5: the mean over {@link #evaluatedCategories()} of AP at IoU 0.5
 * @param map75 mAP@0.75
 * @param apPerCategory category id → AP@[.5:.95], only for categories with ground truth (sorted)
 * @param ap50PerCategory category id → AP@0.5, only for categories with ground truth (sorted)
 * @param categoriesWithoutGroundTruth the categories that have no ground-truth object and are
 *     therefore left out of every mean (sorted)
 * @since 0.1.0
 */
public record DetectionMetricsResult(
    double map,
    double map50,
    double map75,
    SortedMap<Integer, Double> apPerCategory,
    SortedMap<Integer, Double> ap50PerCategory,
    List<Integer> categoriesWithoutGroundTruth) {
  /** Validates and copies. */
  public DetectionMetricsResult {
    apPerCategory = copy(checkNotNull(apPerCategory, "apPerCategory"));
    ap50PerCategory = copy(checkNotNull(ap50PerCategory, "ap50PerCategory"));
    categoriesWithoutGroundTruth =
        List.copyOf(checkNotNull(categoriesWithoutGroundTruth, "categoriesWithoutGroundTruth"));
    checkArgument(
        apPerCategory.keySet().equals(ap50PerCategory.keySet()),
        "ap50PerCategory must have the categories of apPerCategory %s but had %s",
        apPerCategory.keySet(),
        ap50PerCategory.keySet());
  }

  private static SortedMap<Integer, Double> copy(Map<Integer, Double> m) {
    return java.util.Collections.unmodifiableSortedMap(new TreeMap<>(m));
  }

  /** The categories that enter the means (those with ground truth), sorted. */
  public List<Integer> evaluatedCategories() {
    return List.copyOf(apPerCategory.keySet());
  }
}
