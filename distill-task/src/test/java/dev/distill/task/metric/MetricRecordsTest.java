package dev.distill.task.metric;

import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** guava-testlib's {@link NullPointerTester} and {@link EqualsTester} over the metric records. */
class MetricRecordsTest {
  private static final BoundingBox BOX = BoundingBox.of(0, 0, 1, 1);

  private static NullPointerTester tester() {
    return new NullPointerTester()
        .setDefault(BoundingBox.class, BOX)
        .setDefault(
            AnnotationSet.class,
            AnnotationSet.of(
                List.of(Category.of(1, "a")), List.of(ImageAnnotations.of(2, 2, List.of()))))
        .setDefault(Mask.class, Mask.of(1, 1, new int[] {0}));
  }

  @Test
  void detection() {
    new EqualsTester()
        .addEqualityGroup(Detection.of(1, BOX, 0.5), new Detection(1, BOX, 0.5))
        .addEqualityGroup(Detection.of(2, BOX, 0.5))
        .addEqualityGroup(Detection.of(1, BoundingBox.of(0, 0, 2, 1), 0.5))
        .addEqualityGroup(Detection.of(1, BOX, 0.6))
        .testEquals();
    tester().testAllPublicConstructors(Detection.class);
    tester().testAllPublicStaticMethods(Detection.class);
  }

  @Test
  void detectionMetricsResult() {
    Map<Integer, Double> ap = Map.of(1, 0.5);
    DetectionMetricsResult a =
        new DetectionMetricsResult(0.5, 0.6, 0.4, new TreeMap<>(ap), new TreeMap<>(ap), List.of(2));
    new EqualsTester()
        .addEqualityGroup(
            a,
            new DetectionMetricsResult(
                0.5, 0.6, 0.4, new TreeMap<>(ap), new TreeMap<>(ap), List.of(2)))
        .addEqualityGroup(
            new DetectionMetricsResult(
                0.4, 0.6, 0.4, new TreeMap<>(ap), new TreeMap<>(ap), List.of(2)))
        .addEqualityGroup(
            new DetectionMetricsResult(
                0.5, 0.6, 0.4, new TreeMap<>(ap), new TreeMap<>(ap), List.of()))
        .testEquals();
    tester().testAllPublicConstructors(DetectionMetricsResult.class);
    tester().testAllPublicInstanceMethods(a);
  }

  @Test
  void segmentationMetricsResult() {
    SegmentationMetricsResult a =
        new SegmentationMetricsResult(0.5, 0.7, new TreeMap<>(Map.of(0, 0.5)), 4);
    new EqualsTester()
        .addEqualityGroup(
            a, new SegmentationMetricsResult(0.5, 0.7, new TreeMap<>(Map.of(0, 0.5)), 4))
        .addEqualityGroup(new SegmentationMetricsResult(0.5, 0.7, new TreeMap<>(Map.of(1, 0.5)), 4))
        .addEqualityGroup(new SegmentationMetricsResult(0.5, 0.7, new TreeMap<>(Map.of(0, 0.5)), 5))
        .testEquals();
    tester().testAllPublicConstructors(SegmentationMetricsResult.class);
    tester().testAllPublicStaticMethods(SegmentationMetrics.class);
    tester().testAllPublicStaticMethods(DetectionMetrics.class);
    tester().testAllPublicInstanceMethods(SegmentationMetrics.create(255));
  }
}
