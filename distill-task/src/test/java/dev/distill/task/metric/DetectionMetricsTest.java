package dev.distill.task.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.tensor.SeededCases;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DetectionMetricsTest {
  private static final List<Category> CATS = List.of(Category.of(1, "a"), Category.of(2, "b"));

  private static BoundingBox box(double x, double y, double w, double h) {
    return BoundingBox.of(x, y, w, h);
  }

  private static AnnotationSet gt(List<List<ObjectAnnotation>> images) {
    List<ImageAnnotations> l = new ArrayList<>();
    for (List<ObjectAnnotation> objects : images) {
      l.add(ImageAnnotations.of(100, 100, objects));
    }
    return AnnotationSet.of(CATS, l);
  }

  @Test
  void iouIsIntersectionOverUnionInContinuousCoordinates() {
    assertThat(DetectionMetrics.iou(box(0, 0, 10, 10), box(0, 0, 10, 10))).isEqualTo(1.0);
    assertThat(DetectionMetrics.iou(box(0, 0, 10, 10), box(2.5, 0, 10, 10))).isEqualTo(0.6);
    assertThat(DetectionMetrics.iou(box(0, 0, 10, 10), box(10, 0, 10, 10))).isZero();
    assertThat(DetectionMetrics.iou(box(0, 0, 10, 10), box(5, 5, 10, 10))).isEqualTo(25.0 / 175.0);
  }

  @Test
  void perfectPredictionsScoreOne() {
    AnnotationSet gt =
        gt(
            List.of(
                List.of(
                    ObjectAnnotation.of(1, box(0, 0, 10, 10)),
                    ObjectAnnotation.of(2, box(20, 20, 5, 8))),
                List.of(ObjectAnnotation.of(1, box(50, 50, 30, 30)))));
    List<List<Detection>> dets =
        List.of(
            List.of(
                Detection.of(1, box(0, 0, 10, 10), 0.9), Detection.of(2, box(20, 20, 5, 8), 0.3)),
            List.of(Detection.of(1, box(50, 50, 30, 30), 0.5)));
    DetectionMetricsResult r = DetectionMetrics.evaluate(gt, dets);
    assertThat(r.map()).isEqualTo(1.0);
    assertThat(r.map50()).isEqualTo(1.0);
    assertThat(r.map75()).isEqualTo(1.0);
    assertThat(r.apPerCategory()).containsEntry(1, 1.0).containsEntry(2, 1.0);
    assertThat(r.categoriesWithoutGroundTruth()).isEmpty();
  }

  @Test
  void aBoxAtIou06CountsAtThresholdsUpTo06Only() {
    AnnotationSet gt = gt(List.of(List.of(ObjectAnnotation.of(1, box(0, 0, 10, 10)))));
    DetectionMetricsResult r =
        DetectionMetrics.evaluate(gt, List.of(List.of(Detection.of(1, box(2.5, 0, 10, 10), 0.8))));
    // thresholds 0.50, 0.55, 0.60 count (AP 1 each), 0.65 .. 0.95 do not (AP 0): 3/10
    assertThat(r.map()).isCloseTo(0.3, within(1e-12));
    assertThat(r.map50()).isEqualTo(1.0);
    assertThat(r.map75()).isZero();
    assertThat(r.apPerCategory().get(1)).isCloseTo(0.3, within(1e-12));
    assertThat(r.evaluatedCategories()).containsExactly(1);
    assertThat(r.categoriesWithoutGroundTruth()).containsExactly(2);
  }

  @Test
  void aDuplicateDetectionIsAFalsePositive() {
    AnnotationSet gt =
        gt(
            List.of(
                List.of(
                    ObjectAnnotation.of(1, box(0, 0, 10, 10)),
                    ObjectAnnotation.of(1, box(50, 50, 10, 10)))));
    List<Detection> withDuplicate =
        List.of(
            Detection.of(1, box(0, 0, 10, 10), 0.9),
            Detection.of(1, box(0, 0, 10, 10), 0.8), // the same object again
            Detection.of(1, box(50, 50, 10, 10), 0.7));
    // ranks TP, FP, TP: recall .5, .5, 1; precision 1, .5, 2/3 -> monotone 1, 2/3, 2/3;
    // recall levels 0 .. 0.50 (51 of them) give 1, 0.51 .. 1 (50) give 2/3
    double expected = (51 + 50 * (2.0 / 3)) / 101;
    assertThat(DetectionMetrics.evaluate(gt, List.of(withDuplicate)).map50())
        .isCloseTo(expected, within(1e-12));
    List<Detection> without = List.of(withDuplicate.get(0), withDuplicate.get(2));
    assertThat(DetectionMetrics.evaluate(gt, List.of(without)).map50()).isEqualTo(1.0);
  }

  @Test
  void aCategoryWithoutGroundTruthIsLeftOutOfTheMean() {
    AnnotationSet gt = gt(List.of(List.of(ObjectAnnotation.of(1, box(0, 0, 10, 10)))));
    List<List<Detection>> dets =
        List.of(
            List.of(
                Detection.of(1, box(0, 0, 10, 10), 0.9),
                Detection.of(2, box(40, 40, 10, 10), 0.99))); // a false positive of category 2
    DetectionMetricsResult r = DetectionMetrics.evaluate(gt, dets);
    assertThat(r.map()).isEqualTo(1.0); // not (1 + 0) / 2
    assertThat(r.apPerCategory()).containsOnlyKeys(1);
    assertThat(r.categoriesWithoutGroundTruth()).containsExactly(2);
  }

  @Test
  void aCategoryWithGroundTruthButNoDetectionsHasApZero() {
    AnnotationSet gt =
        gt(
            List.of(
                List.of(
                    ObjectAnnotation.of(1, box(0, 0, 10, 10)),
                    ObjectAnnotation.of(2, box(40, 40, 10, 10)))));
    DetectionMetricsResult r =
        DetectionMetrics.evaluate(gt, List.of(List.of(Detection.of(1, box(0, 0, 10, 10), 0.9))));
    assertThat(r.apPerCategory()).containsEntry(1, 1.0).containsEntry(2, 0.0);
    assertThat(r.map()).isEqualTo(0.5);
  }

  @Test
  void equalScoresKeepInputOrderDeterministically() {
    AnnotationSet gt = gt(List.of(List.of(ObjectAnnotation.of(1, box(0, 0, 10, 10)))));
    Detection hit = Detection.of(1, box(0, 0, 10, 10), 0.5);
    Detection miss = Detection.of(1, box(60, 60, 10, 10), 0.5);
    // miss first: precision 0 then 1/2 at recall 1 -> every level gives 1/2
    assertThat(DetectionMetrics.evaluate(gt, List.of(List.of(miss, hit))).map50()).isEqualTo(0.5);
    // hit first: precision 1 at recall 1
    assertThat(DetectionMetrics.evaluate(gt, List.of(List.of(hit, miss))).map50()).isEqualTo(1.0);
    // across images: image order decides
    AnnotationSet two = gt(List.of(List.of(), List.of(ObjectAnnotation.of(1, box(0, 0, 10, 10)))));
    assertThat(DetectionMetrics.evaluate(two, List.of(List.of(miss), List.of(hit))).map50())
        .isEqualTo(0.5);
    assertThat(
            DetectionMetrics.evaluate(two, List.of(List.of(miss), List.of(hit)))
                .equals(DetectionMetrics.evaluate(two, List.of(List.of(miss), List.of(hit)))))
        .isTrue();
  }

  @Test
  void aDetectionEquallyCloseToTwoObjectsTakesTheFirst() {
    // A = [0, 0, 10, 10], B = [2, 0, 10, 10]; the first detection [1, 0, 10, 10] has IoU 90/110
    // with both and takes A (the first); the second detection lies exactly on B (IoU 80/120 with
    // A), so at IoU 0.75 it finds B: TP, TP -> AP 1. Had the tie gone to B, the second would have
    // found nothing at 0.75 (A at 0.667): TP, FP -> AP 51/101.
    BoundingBox a = box(0, 0, 10, 10);
    BoundingBox b = box(2, 0, 10, 10);
    AnnotationSet gt = gt(List.of(List.of(ObjectAnnotation.of(1, a), ObjectAnnotation.of(1, b))));
    Detection first = Detection.of(1, box(1, 0, 10, 10), 0.9);
    assertThat(DetectionMetrics.iou(first.box(), a))
        .isEqualTo(DetectionMetrics.iou(first.box(), b));
    List<List<Detection>> dets = List.of(List.of(first, Detection.of(1, b, 0.8)));
    assertThat(DetectionMetrics.evaluate(gt, dets).map75()).isEqualTo(1.0);
  }

  @Test
  void onlyTheHighestScoredDetectionsPerImageAndCategoryAreKept() {
    AnnotationSet gt = gt(List.of(List.of(ObjectAnnotation.of(1, box(0, 0, 10, 10)))));
    List<Detection> dets =
        List.of(Detection.of(1, box(60, 60, 10, 10), 0.9), Detection.of(1, box(0, 0, 10, 10), 0.1));
    assertThat(DetectionMetrics.evaluate(gt, List.of(dets), 1).map50()).isZero();
    assertThat(DetectionMetrics.evaluate(gt, List.of(dets), 2).map50()).isEqualTo(0.5);
  }

  @Test
  void inputsAreChecked() {
    AnnotationSet gt = gt(List.of(List.of()));
    assertThatThrownBy(() -> DetectionMetrics.evaluate(gt, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("detections must have one list per ground-truth image (1) but had 0");
    assertThatThrownBy(
            () ->
                DetectionMetrics.evaluate(
                    gt, List.of(List.of(Detection.of(3, box(0, 0, 1, 1), 1)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("detections[0][0] has category 3, which is not a ground-truth category [1, 2]");
    assertThatThrownBy(() -> DetectionMetrics.evaluate(gt, List.of(List.of()), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDetections must be >= 1 but was 0");
    assertThat(DetectionMetrics.evaluate(gt, List.of(List.of())).map()).isNaN();
    assertThat(DetectionMetrics.IOU_THRESHOLDS)
        .containsExactly(
            0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95); // np.linspace
  }

  static Stream<Long> seeds() {
    return SeededCases.seeds(100);
  }

  private record Case(
      AnnotationSet gt, List<List<Detection>> dets, List<List<Detection>> perfect) {}

  /** 1–5 images of 0–4 objects of 1–3 categories, and noisy detections with distinct scores. */
  private static Case randomCase(Random r) {
    List<Category> cats = new ArrayList<>();
    int k = 1 + r.nextInt(3);
    for (int c = 1; c <= k; c++) {
      cats.add(Category.of(c, "c" + c));
    }
    List<ImageAnnotations> images = new ArrayList<>();
    List<List<Detection>> dets = new ArrayList<>();
    List<List<Detection>> perfect = new ArrayList<>();
    List<Double> scores = new ArrayList<>();
    for (int s = 0; s < 100; s++) {
      scores.add((s + 1) / 100.0);
    }
    Collections.shuffle(scores, r);
    int next = 0;
    for (int i = 1 + r.nextInt(5); i > 0; i--) {
      List<ObjectAnnotation> objects = new ArrayList<>();
      List<Detection> d = new ArrayList<>();
      List<Detection> p = new ArrayList<>();
      for (int o = r.nextInt(5); o > 0; o--) {
        int cat = 1 + r.nextInt(k);
        BoundingBox b = box(r.nextInt(60), r.nextInt(60), 5 + r.nextInt(35), 5 + r.nextInt(35));
        objects.add(ObjectAnnotation.of(cat, b));
        p.add(Detection.of(cat, b, scores.get(next++)));
        if (r.nextInt(4) > 0) {
          BoundingBox j =
              box(
                  b.x() + r.nextInt(4),
                  b.y() + r.nextInt(4),
                  b.width() + r.nextInt(4) - 1,
                  b.height());
          d.add(Detection.of(cat, j, scores.get(next++)));
        }
      }
      for (int f = r.nextInt(3); f > 0; f--) {
        d.add(
            Detection.of(
                1 + r.nextInt(k),
                box(r.nextInt(60), r.nextInt(60), 5 + r.nextInt(35), 5 + r.nextInt(35)),
                scores.get(next++)));
      }
      images.add(ImageAnnotations.of(100, 100, objects));
      dets.add(d);
      perfect.add(p);
    }
    return new Case(AnnotationSet.of(cats, images), dets, perfect);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void metricsAreBoundedOrderedAndPerfectPredictionsScoreOne(long seed) {
    Case c = randomCase(new Random(seed));
    DetectionMetricsResult r = DetectionMetrics.evaluate(c.gt(), c.dets());
    if (r.evaluatedCategories().isEmpty()) {
      assertThat(r.map()).isNaN();
      return;
    }
    assertThat(r.map()).isBetween(0.0, 1.0);
    assertThat(r.map50()).isBetween(r.map() - 1e-12, 1.0);
    assertThat(r.map75()).isLessThanOrEqualTo(r.map50() + 1e-12);
    for (int cat : r.evaluatedCategories()) {
      assertThat(r.apPerCategory().get(cat))
          .isLessThanOrEqualTo(r.ap50PerCategory().get(cat) + 1e-12);
    }
    DetectionMetricsResult perfect = DetectionMetrics.evaluate(c.gt(), c.perfect());
    assertThat(perfect.map()).isEqualTo(1.0);
    assertThat(DetectionMetrics.evaluate(c.gt(), c.dets())).isEqualTo(r);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void withDistinctScoresTheImageOrderDoesNotMatter(long seed) {
    Random rand = new Random(seed);
    Case c = randomCase(rand);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < c.gt().size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, rand);
    List<ImageAnnotations> images = new ArrayList<>();
    List<List<Detection>> dets = new ArrayList<>();
    for (int i : order) {
      images.add(c.gt().images().get(i));
      dets.add(c.dets().get(i));
    }
    DetectionMetricsResult a = DetectionMetrics.evaluate(c.gt(), c.dets());
    DetectionMetricsResult b =
        DetectionMetrics.evaluate(AnnotationSet.of(c.gt().categories(), images), dets);
    assertThat(b.apPerCategory().keySet()).isEqualTo(a.apPerCategory().keySet());
    for (int cat : a.evaluatedCategories()) {
      assertThat(b.apPerCategory().get(cat)).isCloseTo(a.apPerCategory().get(cat), within(1e-12));
    }
  }
}
