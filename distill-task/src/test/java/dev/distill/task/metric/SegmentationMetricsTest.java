package dev.distill.task.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distill.api.annotation.Mask;
import dev.distill.core.tensor.SeededCases;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SegmentationMetricsTest {
  private static Mask mask(int... v) {
    return Mask.of(v.length, 1, v);
  }

  @Test
  void perfectPredictionsScoreOne() {
    Mask gt = mask(0, 0, 3, 3, 255, 7);
    SegmentationMetricsResult r = SegmentationMetrics.evaluate(List.of(gt), List.of(gt));
    assertThat(r.meanIoU()).isEqualTo(1.0);
    assertThat(r.pixelAccuracy()).isEqualTo(1.0);
    assertThat(r.iouPerClass()).containsOnlyKeys(0, 3, 7);
    assertThat(r.countedPixels()).isEqualTo(5);
  }

  @Test
  void handComputedIousIgnoredPixelsAndAbsentClasses() {
    // gt:   0 0 1 1 1 2 255 255
    // pred: 0 1 1 1 2 2 1   3
    Mask gt = mask(0, 0, 1, 1, 1, 2, 255, 255);
    Mask pred = mask(0, 1, 1, 1, 2, 2, 1, 3);
    SegmentationMetricsResult r = SegmentationMetrics.evaluate(List.of(pred), List.of(gt));
    // class 0: TP 1, FN 1, FP 0 -> 1/2; class 1: TP 2, FP 1, FN 1 -> 2/4; class 2: TP 1, FP 1 ->
    // 1/2
    // class 3 is predicted only at an ignored pixel: absent, excluded
    assertThat(r.iouPerClass())
        .containsExactly(
            java.util.Map.entry(0, 0.5), java.util.Map.entry(1, 0.5), java.util.Map.entry(2, 0.5));
    assertThat(r.meanIoU()).isEqualTo(0.5);
    assertThat(r.pixelAccuracy()).isEqualTo(4.0 / 6);
    assertThat(r.countedPixels()).isEqualTo(6);
  }

  @Test
  void aClassOnlyPredictedHasIouZeroAndLowersTheMean() {
    SegmentationMetricsResult r =
        SegmentationMetrics.evaluate(List.of(mask(0, 0, 5, 0)), List.of(mask(0, 0, 0, 0)));
    assertThat(r.iouPerClass()).containsEntry(0, 0.75).containsEntry(5, 0.0);
    assertThat(r.meanIoU()).isEqualTo(0.375);
  }

  @Test
  void aPredictedIgnoreValueIsAMissAndAnotherIgnoreIndexCanBeChosen() {
    SegmentationMetricsResult r =
        SegmentationMetrics.evaluate(List.of(mask(255, 1)), List.of(mask(1, 1)));
    assertThat(r.iouPerClass()).containsOnlyKeys(1);
    assertThat(r.iouPerClass().get(1)).isEqualTo(0.5);
    SegmentationMetricsResult zeroIgnored =
        SegmentationMetrics.evaluate(List.of(mask(1, 1, 2)), List.of(mask(0, 1, 2)), 0);
    assertThat(zeroIgnored.meanIoU()).isEqualTo(1.0);
    assertThat(zeroIgnored.countedPixels()).isEqualTo(2);
  }

  @Test
  void inputsAreChecked() {
    assertThatThrownBy(() -> SegmentationMetrics.evaluate(List.of(mask(1)), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("predictions must have one mask per ground-truth mask (0) but had 1");
    assertThatThrownBy(
            () ->
                SegmentationMetrics.evaluate(
                    List.of(mask(1), mask(1)), List.of(mask(1), mask(1, 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prediction 1 must have the ground truth's size 2x1 but was 1x1");
    assertThatThrownBy(() -> SegmentationMetrics.create(256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ignoreIndex must be in [0, 255] but was 256");
    SegmentationMetricsResult empty = SegmentationMetrics.create(255).result();
    assertThat(empty.meanIoU()).isNaN();
    assertThat(empty.pixelAccuracy()).isNaN();
  }

  static Stream<Long> seeds() {
    return SeededCases.seeds(100);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void streamingEqualsAllAtOnceAndValuesAreBounded(long seed) {
    Random r = new Random(seed);
    List<Mask> preds = new ArrayList<>();
    List<Mask> gts = new ArrayList<>();
    int classes = 2 + r.nextInt(5);
    for (int i = 1 + r.nextInt(4); i > 0; i--) {
      int w = 1 + r.nextInt(12);
      int h = 1 + r.nextInt(12);
      int[] g = new int[w * h];
      int[] p = new int[w * h];
      for (int k = 0; k < g.length; k++) {
        g[k] = r.nextInt(10) == 0 ? 255 : r.nextInt(classes);
        p[k] = r.nextInt(3) == 0 ? r.nextInt(classes) : (g[k] == 255 ? 0 : g[k]);
      }
      gts.add(Mask.of(w, h, g));
      preds.add(Mask.of(w, h, p));
    }
    SegmentationMetricsResult all = SegmentationMetrics.evaluate(preds, gts);
    SegmentationMetrics streaming = SegmentationMetrics.create(255);
    for (int i = 0; i < preds.size(); i++) {
      streaming.add(preds.get(i), gts.get(i));
    }
    assertThat(streaming.result()).isEqualTo(all);
    if (all.countedPixels() == 0) {
      return;
    }
    assertThat(all.meanIoU()).isBetween(0.0, 1.0);
    assertThat(all.pixelAccuracy()).isBetween(0.0, 1.0);
    // perfect predictions: every present class has IoU 1
    SegmentationMetricsResult perfect = SegmentationMetrics.evaluate(gts, gts);
    assertThat(perfect.meanIoU()).isCloseTo(1.0, within(0.0));
    assertThat(perfect.pixelAccuracy()).isEqualTo(1.0);
  }
}
