package dev.distill.task.metric;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Semantic-segmentation metrics.
 *
 * @param meanIoU the mean of {@link #iouPerClass()}, in {@code [0, 1]}; {@code NaN} if no class was
 *     present
 * @param pixelAccuracy correctly labelled pixels / counted pixels, in {@code [0, 1]}; {@code NaN}
 *     if no pixel was counted
 * @param iouPerClass class value → {@code TP / (TP + FP + FN)}, for every class present in the
 *     prediction or the ground truth of a counted pixel (sorted)
 * @param countedPixels the pixels whose ground truth is not the ignore value
 * @since 0.1.0
 */
public record SegmentationMetricsResult(
    double meanIoU,
    double pixelAccuracy,
    SortedMap<Integer, Double> iouPerClass,
    long countedPixels) {
  /** Validates and copies. */
  public SegmentationMetricsResult {
    iouPerClass =
        Collections.unmodifiableSortedMap(new TreeMap<>(checkNotNull(iouPerClass, "iouPerClass")));
    checkArgument(countedPixels >= 0, "countedPixels must be >= 0 but was %s", countedPixels);
  }
}
