package dev.distill.core.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.assertj.core.data.Offset;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfidenceFilterTest {
  /** Base seed of the property cases; override with {@code -Ddistill.seed=...} to replay one. */
  private static final long BASE_SEED = Long.getLong("distill.seed", 0x5EEDL);

  private static final int SIZE = 8;

  static LongStream seeds() {
    return LongStream.range(0, 100).map(i -> BASE_SEED + i);
  }

  /** A nearest-template proxy: logits are minus the scaled squared distance to each template. */
  private static Function<Tensor, Tensor> nearestTemplate(Tensor templates, double scale) {
    return images -> {
      Tensor x = images.reshape(images.size(0), -1);
      Tensor t = templates.reshape(templates.size(0), -1);
      Tensor d =
          x.square()
              .sum(1)
              .unsqueeze(1)
              .sub(x.mm(t.t()).mul(Tensors.scalar(2.0)))
              .add(t.square().sum(1).unsqueeze(0));
      return d.mul(Tensors.scalar(-scale / x.size(1)));
    };
  }

  private static float[] noisy(float[] image, Random r, double sigma) {
    float[] out = image.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += (float) (r.nextGaussian() * sigma);
    }
    return out;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void plantedWrongClassSampleIsDroppedAndTheOthersKept(long seed) {
    Random r = new Random(seed);
    int classes = 2 + r.nextInt(4);
    float[][] templates = new float[classes][];
    for (int c = 0; c < classes; c++) {
      templates[c] = TestImages.smooth(r, 1, SIZE, SIZE);
    }
    int n = 3 + r.nextInt(8);
    int planted = r.nextInt(n);
    float[][] images = new float[n][];
    List<Integer> labels = new ArrayList<>();
    int trueClassOfPlanted = -1;
    for (int i = 0; i < n; i++) {
      int label = r.nextInt(classes);
      labels.add(label);
      int drawnFrom = label;
      if (i == planted) {
        drawnFrom = (label + 1 + r.nextInt(classes - 1)) % classes;
        trueClassOfPlanted = drawnFrom;
      }
      images[i] = noisy(templates[drawnFrom], r, 0.02);
    }
    ConfidenceRule rule =
        r.nextBoolean()
            ? ConfidenceRule.OWN_CLASS_BELOW_THRESHOLD
            : ConfidenceRule.CONFIDENTLY_WRONG;
    try (TensorScope scope = TensorScope.open()) {
      Tensor t = Tensors.fromFloats(TestImages.concat(templates), classes, 1, SIZE, SIZE);
      ConfidenceFilter filter =
          ConfidenceFilter.of(
              nearestTemplate(t, 200),
              ConfidenceConfig.defaults().withRule(rule).withBatchSize(1 + r.nextInt(4)));
      FilterResult result =
          filter.apply(Tensors.fromFloats(TestImages.concat(images), n, 1, SIZE, SIZE), labels);
      assertThat(result.dropped()).hasSize(1);
      DroppedSample d = result.dropped().get(0);
      assertThat(d.index()).isEqualTo(planted);
      assertThat(d.offender()).isEqualTo(trueClassOfPlanted);
      assertThat(d.reason())
          .isEqualTo(
              rule == ConfidenceRule.OWN_CLASS_BELOW_THRESHOLD
                  ? DropReason.LOW_CONFIDENCE
                  : DropReason.CONFIDENTLY_WRONG);
      assertThat(result.kept()).hasSize(n - 1);
    }
  }

  @Test
  void confidentThresholdsAreTheMeanSelfConfidencePerClass() {
    // logits chosen directly: the "images" carry them in their pixels
    Function<Tensor, Tensor> logitsFromPixels =
        images -> images.reshape(images.size(0), -1).clone();
    float[] logits = {
      2, 0, // class 0 sample: p0 = 0.8808
      0, 0, // class 0 sample: p0 = 0.5
      0, 1, // class 1 sample: p1 = 0.7311
    };
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = Tensors.fromFloats(logits, 3, 1, 1, 2);
      ConfidenceFilter filter = ConfidenceFilter.of(logitsFromPixels, ConfidenceConfig.defaults());
      List<Double> t = filter.confidentThresholds(images, List.of(0, 0, 1), 3 - 1);
      assertThat(t.get(0)).isCloseTo((0.880797 + 0.5) / 2, Offset.offset(1e-5));
      assertThat(t.get(1)).isCloseTo(0.731059, Offset.offset(1e-5));
      // with per-class thresholds: sample 1 (p0 = 0.5 < 0.69) is dropped, the others kept
      FilterResult result = filter.apply(images, List.of(0, 0, 1), t);
      assertThat(result.kept()).containsExactly(0, 2);
      assertThat(result.dropped().get(0).reason()).isEqualTo(DropReason.LOW_CONFIDENCE);
      assertThat(result.dropped().get(0).score()).isCloseTo(0.5, Offset.offset(1e-6));
    }
  }

  @Test
  void wrongClassifierOutputAndLabelsAreRejected() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = Tensors.fromFloats(new float[4], 2, 1, 1, 2);
      ConfidenceFilter flat =
          ConfidenceFilter.of(x -> x.reshape(-1).clone(), ConfidenceConfig.defaults());
      assertThatThrownBy(() -> flat.apply(images, List.of(0, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("classifier must return logits [2, K] but returned [4]");
      ConfidenceFilter ok =
          ConfidenceFilter.of(x -> x.reshape(x.size(0), -1).clone(), ConfidenceConfig.defaults());
      assertThatThrownBy(() -> ok.apply(images, List.of(0, 2)))
          .hasMessage("labels must be in [0, 2) but label 1 was 2");
      assertThatThrownBy(() -> ok.apply(images, List.of(0)))
          .hasMessage("labels must have one entry per image (2) but had 1");
      assertThatThrownBy(() -> ok.apply(images, List.of(0, 1), List.of(0.5)))
          .hasMessage("thresholds must have one entry per class (2) but had 1");
      assertThatThrownBy(() -> ok.apply(images, List.of(0, 1), List.of(0.5, 1.5)))
          .hasMessage("thresholds must be in [0, 1] but contained 1.5");
    }
  }

  @Test
  void repeatedFilteringReleasesEveryNativeObject() {
    Random r = new Random(5);
    float[][] templates = {
      TestImages.smooth(r, 1, SIZE, SIZE), TestImages.smooth(r, 1, SIZE, SIZE)
    };
    try (TensorScope scope = TensorScope.open()) {
      Tensor t = Tensors.fromFloats(TestImages.concat(templates), 2, 1, SIZE, SIZE);
      Tensor images =
          Tensors.fromFloats(
              TestImages.concat(templates[0], templates[1], templates[0]), 3, 1, SIZE, SIZE);
      ConfidenceFilter filter =
          ConfidenceFilter.of(nearestTemplate(t, 50), ConfidenceConfig.defaults().withBatchSize(2));
      filter.apply(images, List.of(0, 1, 1));
      long baseline = Pointer.totalCount();
      for (int i = 0; i < 5; i++) {
        filter.apply(images, List.of(0, 1, 1));
        filter.confidentThresholds(images, List.of(0, 1, 1), 2);
      }
      assertThat(Pointer.totalCount())
          .as("live native objects (the GC may free stray unscoped ones, a leak adds)")
          .isLessThanOrEqualTo(baseline);
    }
  }
}
