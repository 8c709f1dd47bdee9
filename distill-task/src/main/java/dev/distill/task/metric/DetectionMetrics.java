package dev.distill.task.metric;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ObjectAnnotation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * COCO-style detection metrics: mAP@[.5:.95], mAP@0.5 and mAP@0.75 with 101-point interpolated
 * precision, and AP per category, as pycocotools' {@code COCOeval} computes them for boxes (area
 * range "all", no crowd regions).
 *
 * <p>Per category and IoU threshold {@code t} in {@code 0.50, 0.55, …, 0.95}:
 *
 * <ol>
 *   <li>In each image, the category's detections are sorted by descending score (at most {@link
 *       #DEFAULT_MAX_DETECTIONS} per image and category are kept, the highest-scored) and matched
 *       greedily in that order: each takes the still unmatched ground-truth box of its category
 *       with the highest IoU, if that IoU is {@code >= t}; it is then a true positive, otherwise a
 *       false positive. A second detection of an already matched object (a duplicate) is therefore
 *       a false positive.
 *   <li>All images' detections are ranked by descending score; cumulative true and false positives
 *       give recall ({@code TP / #ground truth}) and precision ({@code TP / (TP + FP)}) at each
 *       rank; precision is made monotone (each value becomes the maximum precision at any higher
 *       recall).
 *   <li>AP is the mean, over the 101 recall levels {@code 0, 0.01, …, 1}, of the precision at the
 *       first rank whose recall reaches the level ({@code 0} if none does). Thresholds and levels
 *       are pycocotools' {@code np.linspace} values bit for bit (e.g. the level 0.7 is {@code
 *       0.7000000000000001}), so a recall of exactly 7/10 does not reach it, as in pycocotools.
 * </ol>
 *
 * <p>Ties are broken deterministically, as pycocotools' stable sort does: detections with equal
 * scores keep their input order (image order, then the order of each image's list); a detection
 * whose best IoU is shared by several unmatched ground-truth boxes takes the first of them in
 * annotation order. IoU is computed in continuous pixel coordinates ({@code intersection / (area A
 * + area B - intersection)}, no "+1").
 *
 * <p>A category with no ground-truth object in any image has no defined recall and is left out of
 * every mean (pycocotools marks it -1 and skips it); it is listed in {@link
 * DetectionMetricsResult#categoriesWithoutGroundTruth()}. Its detections count nowhere. A category
 * with ground truth but no detections has AP 0.
 *
 * <p>Checked against pycocotools 2.0.11 ({@code COCOeval}, {@code iouType="bbox"}) on 37 random
 * cases with duplicates, tied scores, wrong categories and categories without ground truth: the
 * same mAP, mAP@0.5 and mAP@0.75 to 1e-12 (a one-off check; CI runs no Python).
 *
 * <p>Stateless and thread-safe.
 *
 * @see <a href="https://cocodataset.org/#detection-eval">COCO detection evaluation</a>
 * @since 0.1.0
 */
public final class DetectionMetrics {
  /** pycocotools' default maximum number of detections per image (here: per image and category). */
  public static final int DEFAULT_MAX_DETECTIONS = 100;

  /**
   * The IoU thresholds {@code 0.50, 0.55, …, 0.95}, bit for bit pycocotools' {@code np.linspace(.5,
   * .95, 10)} ({@code 0.5 + i · (0.45 / 9)}, so the ninth is {@code 0.8999999999999999}).
   */
  public static final List<Double> IOU_THRESHOLDS = iouThresholds();

  /** The number of recall levels of the interpolated precision. */
  public static final int RECALL_LEVELS = 101;

  private DetectionMetrics() {}

  private static List<Double> iouThresholds() {
    double step = (0.95 - 0.5) / 9;
    List<Double> t = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      t.add(i * step + 0.5);
    }
    t.add(0.95);
    return List.copyOf(t);
  }

  /** Recall level {@code r} of 101, bit for bit pycocotools' {@code np.linspace(0, 1, 101)}. */
  private static double recallLevel(int r) {
    return r == RECALL_LEVELS - 1 ? 1.0 : r * (1.0 / (RECALL_LEVELS - 1));
  }

  /**
   * The IoU of two boxes.
   *
   * @param a a box
   * @param b another box
   * @return {@code |a ∩ b| / |a ∪ b|} in {@code [0, 1]}
   */
  public static double iou(BoundingBox a, BoundingBox b) {
    checkNotNull(a, "a");
    checkNotNull(b, "b");
    double w = Math.min(a.x() + a.width(), b.x() + b.width()) - Math.max(a.x(), b.x());
    double h = Math.min(a.y() + a.height(), b.y() + b.height()) - Math.max(a.y(), b.y());
    if (w <= 0 || h <= 0) {
      return 0;
    }
    double inter = w * h;
    return inter / (a.width() * a.height() + b.width() * b.height() - inter);
  }

  /**
   * Evaluates detections with {@link #DEFAULT_MAX_DETECTIONS}.
   *
   * @param groundTruth the categories and each image's objects
   * @param detections each image's detections, in the order of {@code groundTruth.images()}
   * @return the metrics
   * @throws IllegalArgumentException if the image counts differ or a detection names a category
   *     that is not one of {@code groundTruth.categories()}
   */
  public static DetectionMetricsResult evaluate(
      AnnotationSet groundTruth, List<List<Detection>> detections) {
    return evaluate(groundTruth, detections, DEFAULT_MAX_DETECTIONS);
  }

  /**
   * Evaluates detections.
   *
   * @param groundTruth the categories and each image's objects
   * @param detections each image's detections, in the order of {@code groundTruth.images()}
   * @param maxDetections the most detections kept per image and category (the highest-scored),
   *     {@code >= 1}
   * @return the metrics
   * @throws IllegalArgumentException if the image counts differ, {@code maxDetections < 1}, or a
   *     detection names a category that is not one of {@code groundTruth.categories()}
   */
  public static DetectionMetricsResult evaluate(
      AnnotationSet groundTruth, List<List<Detection>> detections, int maxDetections) {
    checkNotNull(groundTruth, "groundTruth");
    checkNotNull(detections, "detections");
    checkArgument(maxDetections >= 1, "maxDetections must be >= 1 but was %s", maxDetections);
    checkArgument(
        detections.size() == groundTruth.size(),
        "detections must have one list per ground-truth image (%s) but had %s",
        groundTruth.size(),
        detections.size());
    List<Integer> categories = sortedIds(groundTruth);
    Set<Integer> known = new HashSet<>(categories);
    for (int i = 0; i < detections.size(); i++) {
      List<Detection> l = checkNotNull(detections.get(i), "detections[%s]", i);
      for (int j = 0; j < l.size(); j++) {
        Detection d = checkNotNull(l.get(j), "detections[%s][%s]", i, j);
        checkArgument(
            known.contains(d.categoryId()),
            "detections[%s][%s] has category %s, which is not a ground-truth category %s",
            i,
            j,
            d.categoryId(),
            categories);
      }
    }
    TreeMap<Integer, Double> ap = new TreeMap<>();
    TreeMap<Integer, Double> ap50 = new TreeMap<>();
    TreeMap<Integer, Double> ap75 = new TreeMap<>();
    List<Integer> without = new ArrayList<>();
    for (int category : categories) {
      double[] perThreshold = categoryAp(groundTruth, detections, category, maxDetections);
      if (perThreshold == null) {
        without.add(category);
        continue;
      }
      double sum = 0;
      for (double v : perThreshold) {
        sum += v;
      }
      ap.put(category, sum / perThreshold.length);
      ap50.put(category, perThreshold[0]);
      ap75.put(category, perThreshold[5]);
    }
    return new DetectionMetricsResult(mean(ap), mean(ap50), mean(ap75), ap, ap50, without);
  }

  private static List<Integer> sortedIds(AnnotationSet set) {
    List<Integer> ids = new ArrayList<>();
    for (Category c : set.categories()) {
      ids.add(c.id());
    }
    ids.sort(null);
    return ids;
  }

  private static double mean(Map<Integer, Double> m) {
    if (m.isEmpty()) {
      return Double.NaN;
    }
    double s = 0;
    for (double v : m.values()) {
      s += v;
    }
    return s / m.size();
  }

  /** One detection of the category, with its image and rank inside the image. */
  private record Ranked(int image, int order, double score, BoundingBox box) {}

  /** AP at each IoU threshold, or null if the category has no ground truth. */
  private static double[] categoryAp(
      AnnotationSet groundTruth, List<List<Detection>> detections, int category, int maxDets) {
    int images = groundTruth.size();
    List<List<BoundingBox>> gts = new ArrayList<>();
    int numGt = 0;
    for (int i = 0; i < images; i++) {
      List<BoundingBox> g = new ArrayList<>();
      for (ObjectAnnotation o : groundTruth.images().get(i).objects()) {
        if (o.categoryId() == category) {
          g.add(o.box());
        }
      }
      numGt += g.size();
      gts.add(g);
    }
    if (numGt == 0) {
      return null;
    }
    // per image: the category's detections by descending score (stable), at most maxDets
    List<List<Ranked>> perImage = new ArrayList<>();
    List<Ranked> all = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      List<Ranked> d = new ArrayList<>();
      int order = 0;
      for (Detection det : detections.get(i)) {
        if (det.categoryId() == category) {
          d.add(new Ranked(i, order++, det.score(), det.box()));
        }
      }
      d.sort(Comparator.comparingDouble((Ranked r) -> r.score()).reversed());
      if (d.size() > maxDets) {
        d = new ArrayList<>(d.subList(0, maxDets));
      }
      perImage.add(d);
      all.addAll(d);
    }
    // global ranking: descending score, ties in image order then per-image rank (stable sort of
    // the concatenation, as pycocotools' mergesort)
    List<Ranked> ranked = new ArrayList<>(all);
    ranked.sort(Comparator.comparingDouble((Ranked r) -> r.score()).reversed());
    double[] out = new double[IOU_THRESHOLDS.size()];
    for (int t = 0; t < out.length; t++) {
      double threshold = IOU_THRESHOLDS.get(t);
      IdentityHashMap<Ranked, Boolean> tp = new IdentityHashMap<>();
      for (int i = 0; i < images; i++) {
        List<BoundingBox> g = gts.get(i);
        boolean[] matched = new boolean[g.size()];
        for (Ranked d : perImage.get(i)) {
          int best = -1;
          double bestIou = threshold;
          for (int k = 0; k < g.size(); k++) {
            if (matched[k]) {
              continue;
            }
            double iou = iou(d.box(), g.get(k));
            if (iou >= bestIou && (best < 0 || iou > bestIou)) {
              best = k;
              bestIou = iou;
            }
          }
          if (best >= 0) {
            matched[best] = true;
            tp.put(d, Boolean.TRUE);
          }
        }
      }
      out[t] = interpolatedAp(ranked, tp, numGt);
    }
    return out;
  }

  private static double interpolatedAp(
      List<Ranked> ranked, IdentityHashMap<Ranked, Boolean> tp, int numGt) {
    int n = ranked.size();
    if (n == 0) {
      return 0;
    }
    double[] recall = new double[n];
    double[] precision = new double[n];
    int tps = 0;
    for (int i = 0; i < n; i++) {
      if (tp.containsKey(ranked.get(i))) {
        tps++;
      }
      recall[i] = (double) tps / numGt;
      precision[i] = (double) tps / (i + 1);
    }
    for (int i = n - 1; i > 0; i--) {
      precision[i - 1] = Math.max(precision[i - 1], precision[i]);
    }
    double sum = 0;
    int i = 0;
    for (int r = 0; r < RECALL_LEVELS; r++) {
      double level = recallLevel(r);
      while (i < n && recall[i] < level) {
        i++;
      }
      if (i == n) {
        break;
      }
      sum += precision[i];
    }
    return sum / RECALL_LEVELS;
  }
}
