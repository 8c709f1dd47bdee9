package dev.distill.core.guidance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.Conditioning;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.ImageSize;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.core.tensor.Threads;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The power-spectrum and histogram terms on the real built-in sampler: each lowers its own
 * statistic's distance to the class's real images, against the same seeds unguided.
 */
class LowLevelStatisticsGuidanceTest {
  private static final int CLASS = 3; // Dress
  private static BuiltinModel model;
  private static LabeledImages train;

  @BeforeAll
  static void load() throws Exception {
    Threads.set(1);
    model = BuiltinModel.fashionMnist();
    train = FashionMnist.train();
  }

  @AfterAll
  static void close() {
    train.close();
    model.close();
  }

  private static double meanDistance(GuidanceTerm term, ToDoubleFunction<Tensor> distance) {
    List<Long> seeds = new ArrayList<>();
    for (long s = 0; s < 8; s++) {
      seeds.add(100 + s);
    }
    SampleRequest.Builder b =
        SampleRequest.builder(Collections.nCopies(8, Conditioning.ofClass(CLASS)))
            .seeds(seeds)
            .numSteps(20)
            .guidanceScale(2.0);
    if (term != null) {
      b.guidance(term);
    }
    try (SampleResult r = model.sampler().sample(b.build())) {
      return distance.applyAsDouble(r.images());
    }
  }

  @Test
  void spectrumGuidanceBringsTheSpectrumCloserToTheRealOne() {
    try (TensorScope s = TensorScope.open();
        SpectrumGuidance term =
            SpectrumGuidance.of(
                train.load(CLASS, 0, 200), ImageSize.square(28), Schedules.x0Step(0.05))) {
      ToDoubleFunction<Tensor> d = x -> term.distance(x).mean().item_double();
      double plain = meanDistance(null, d);
      double guided = meanDistance(term, d);
      System.out.printf("log-spectrum distance: unguided %.4f, guided %.4f%n", plain, guided);
      assertThat(guided).isLessThan(plain * 0.9);
    }
  }

  @Test
  void histogramGuidanceBringsTheHistogramCloserToTheRealOne() {
    try (TensorScope s = TensorScope.open();
        HistogramGuidance term =
            HistogramGuidance.of(
                train.load(CLASS, 0, 200), HistogramGuidance.DEFAULT_BINS, Schedules.x0Step(4.0))) {
      ToDoubleFunction<Tensor> d = x -> term.distance(x).mean().item_double();
      double plain = meanDistance(null, d);
      double guided = meanDistance(term, d);
      System.out.printf("histogram Cramér distance: unguided %.5f, guided %.5f%n", plain, guided);
      assertThat(guided).isLessThan(plain * 0.9);
    }
  }

  @Test
  void anImageIsAtZeroDistanceFromItsOwnStatisticsAndTheLossesAreDifferentiable() {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Rng.normal(7, 1, 3, 16, 20).tanh();
      try (SpectrumGuidance sp =
              SpectrumGuidance.of(x, ImageSize.of(16, 20), Schedules.constant(1));
          HistogramGuidance h = HistogramGuidance.of(x, 16, Schedules.constant(1))) {
        assertThat(sp.distance(x).item_double()).isLessThan(1e-8);
        assertThat(h.distance(x).item_double()).isLessThan(1e-10);
        Tensor y = Rng.normal(8, 1, 3, 16, 20).tanh().requires_grad_(true);
        Tensor loss = sp.distance(y).sum().add(h.distance(y).sum());
        loss.backward();
        assertThat(Tensors.hasNonFinite(y.grad())).isFalse();
        assertThat(y.grad().abs().sum().item_double()).isGreaterThan(0);
      }
    }
  }

  @Test
  void theRadialSpectrumOfWhiteNoiseIsFlatAndOfASmoothImageFalls() {
    try (TensorScope s = TensorScope.open()) {
      Tensor noise = Rng.normal(9, 16, 1, 32, 32);
      float[] flat =
          Tensors.toFloats(
              ImageStatistics.logRadialSpectrum(noise)
                  .mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
      assertThat(flat).hasSize(ImageStatistics.radialBins(32, 32));
      // white noise has unit power at every frequency: log ≈ 0 away from the few DC samples
      for (int r = 2; r < flat.length; r++) {
        assertThat((double) flat[r]).isBetween(-0.5, 0.5);
      }
      Tensor smooth =
          org.bytedeco.pytorch.global.torch.upsample_bilinear2d(
              Rng.normal(10, 16, 1, 4, 4), new long[] {32, 32}, false);
      float[] fall =
          Tensors.toFloats(
              ImageStatistics.logRadialSpectrum(smooth)
                  .mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
      assertThat(fall[12]).isLessThan(fall[1] - 3);
    }
  }
}
