package dev.distill.task.metric;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.Mask;
import java.util.List;
import java.util.TreeMap;

/**
 * Semantic-segmentation metrics accumulated over images: per-class IoU, mean IoU and pixel
 * accuracy, from a confusion matrix over the 8-bit class values of {@link Mask}s (the PASCAL VOC /
 * Cityscapes definition).
 *
 * <p>Pixels whose ground truth is the ignore value (default {@link Category#IGNORE}, 255) are not
 * counted at all. Every other value is a class, background ({@link Category#BACKGROUND}, 0)
 * included, as in PASCAL VOC's 21-class mIoU; a prediction of the ignore value on a counted pixel
 * is simply wrong (a miss of the ground-truth class). A class's IoU is {@code TP / (TP + FP + FN)}
 * over all images added; a class absent from both the predictions and the ground truth of every
 * counted pixel has no IoU and is left out of the mean (it would be {@code 0 / 0}).
 *
 * <p>Use {@link #evaluate} for lists, or {@link #create}, {@link #add} per image and {@link
 * #result()} to stream. An instance is mutable and not thread-safe; the static methods are.
 *
 * @since 0.1.0
 */
public final class SegmentationMetrics {
  private final int ignoreIndex;
  private final long[][] confusion = new long[256][256]; // [ground truth][prediction]
  private int images;

  private SegmentationMetrics(int ignoreIndex) {
    this.ignoreIndex = ignoreIndex;
  }

  /**
   * An empty accumulator.
   *
   * @param ignoreIndex the ground-truth value not counted, in {@code [0, 255]}
   * @return the accumulator
   * @throws IllegalArgumentException if the value is out of range
   */
  public static SegmentationMetrics create(int ignoreIndex) {
    checkArgument(
        ignoreIndex >= 0 && ignoreIndex <= 255,
        "ignoreIndex must be in [0, 255] but was %s",
        ignoreIndex);
    return new SegmentationMetrics(ignoreIndex);
  }

  /**
   * Evaluates predictions against ground truth with ignore value {@link Category#IGNORE}.
   *
   * @param predictions the predicted masks
   * @param groundTruth the ground-truth masks, one per prediction, of the same sizes
   * @return the metrics
   * @throws IllegalArgumentException if the counts or a pair's sizes differ
   */
  public static SegmentationMetricsResult evaluate(List<Mask> predictions, List<Mask> groundTruth) {
    return evaluate(predictions, groundTruth, Category.IGNORE);
  }

  /**
   * Evaluates predictions against ground truth.
   *
   * @param predictions the predicted masks
   * @param groundTruth the ground-truth masks, one per prediction, of the same sizes
   * @param ignoreIndex the ground-truth value not counted
   * @return the metrics
   * @throws IllegalArgumentException if the counts or a pair's sizes differ, or the ignore value is
   *     out of {@code [0, 255]}
   */
  public static SegmentationMetricsResult evaluate(
      List<Mask> predictions, List<Mask> groundTruth, int ignoreIndex) {
    checkNotNull(predictions, "predictions");
    checkNotNull(groundTruth, "groundTruth");
    checkArgument(
        predictions.size() == groundTruth.size(),
        "predictions must have one mask per ground-truth mask (%s) but had %s",
        groundTruth.size(),
        predictions.size());
    SegmentationMetrics m = create(ignoreIndex);
    for (int i = 0; i < predictions.size(); i++) {
      m.add(predictions.get(i), groundTruth.get(i));
    }
    return m.result();
  }

  /**
   * Adds one image.
   *
   * @param prediction the predicted mask
   * @param groundTruth its ground truth, of the same size
   * @return this
   * @throws IllegalArgumentException if the sizes differ (naming the image's position)
   */
  public SegmentationMetrics add(Mask prediction, Mask groundTruth) {
    checkNotNull(prediction, "prediction");
    checkNotNull(groundTruth, "groundTruth");
    checkArgument(
        prediction.width() == groundTruth.width() && prediction.height() == groundTruth.height(),
        "prediction %s must have the ground truth's size %sx%s but was %sx%s",
        images,
        groundTruth.width(),
        groundTruth.height(),
        prediction.width(),
        prediction.height());
    byte[] p = prediction.toBytes();
    byte[] g = groundTruth.toBytes();
    for (int i = 0; i < g.length; i++) {
      int gt = Byte.toUnsignedInt(g[i]);
      if (gt != ignoreIndex) {
        confusion[gt][Byte.toUnsignedInt(p[i])]++;
      }
    }
    images++;
    return this;
  }

  /** The metrics over every image added so far. */
  public SegmentationMetricsResult result() {
    long[] gtCount = new long[256];
    long[] predCount = new long[256];
    long total = 0;
    long correct = 0;
    for (int g = 0; g < 256; g++) {
      for (int p = 0; p < 256; p++) {
        long n = confusion[g][p];
        gtCount[g] += n;
        predCount[p] += n;
        total += n;
        if (g == p) {
          correct += n;
        }
      }
    }
    TreeMap<Integer, Double> iou = new TreeMap<>();
    double sum = 0;
    for (int c = 0; c < 256; c++) {
      if (c == ignoreIndex) {
        continue; // a predicted ignore value is a miss, never a class
      }
      long tp = confusion[c][c];
      long union = gtCount[c] + predCount[c] - tp;
      if (union == 0) {
        continue; // absent from both: excluded
      }
      double v = (double) tp / union;
      iou.put(c, v);
      sum += v;
    }
    return new SegmentationMetricsResult(
        iou.isEmpty() ? Double.NaN : sum / iou.size(),
        total == 0 ? Double.NaN : (double) correct / total,
        iou,
        total);
  }
}
