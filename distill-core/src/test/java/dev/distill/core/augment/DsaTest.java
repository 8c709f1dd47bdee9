package dev.distill.core.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.pytorch.global.torch.randn;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class DsaTest {
  @BeforeAll
  static void oneThread() {
    // LibTorch's OpenMP pool spins and waits badly on an oversubscribed CPU; tiny tests run
    // 10-40x faster on one thread
    torch.set_num_threads(1);
  }

  private static final long BASE_SEED = Long.getLong("distill.seed", 20240521L);

  static Stream<Long> seeds() {
    SplittableRandom r = new SplittableRandom(BASE_SEED);
    return LongStream.range(0, 60).mapToObj(i -> r.nextLong());
  }

  private static Tensor images(long seed, long n, long c, long h, long w) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[(int) (n * c * h * w)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return Tensors.fromFloats(v, n, c, h, w);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void sameSeedGivesSameOutputAndShape(long seed) {
    try (TensorScope s = TensorScope.open()) {
      long c = (seed & 1) == 0 ? 1 : 3;
      Tensor x = images(seed, 4, c, 12, 10);
      Dsa dsa = Dsa.defaults();
      Tensor a = dsa.apply(x, new SplittableRandom(seed));
      Tensor b = dsa.apply(x, new SplittableRandom(seed));
      assertThat(Tensors.shape(a)).containsExactly(4, c, 12, 10);
      assertThat(Tensors.maxAbsDiff(a, b)).isZero();
      assertThat(Tensors.hasNonFinite(a)).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(DsaTransform.class)
  void gradientsFlowBackToTheImages(DsaTransform transform) {
    Dsa dsa = Dsa.of(DsaConfig.defaults().withStrategy(List.of(transform)));
    try (TensorScope s = TensorScope.open()) {
      Tensor x = images(1, 6, 3, 8, 8).set_requires_grad(true);
      Tensor y = dsa.apply(x, new SplittableRandom(3));
      Tensor weights = images(2, 6, 3, 8, 8);
      y.mul(weights).sum().backward();
      Tensor grad = x.grad();
      assertThat(grad.defined()).isTrue();
      assertThat(Tensors.shape(grad)).containsExactly(6, 3, 8, 8);
      assertThat(grad.abs().sum().item_double()).isGreaterThan(0.0);
    }
  }

  @Test
  void aDrawOfOneSampleAppliesTheSameViewToAnyBatch() {
    Dsa dsa = Dsa.of(DsaConfig.defaults().withMode(DsaMode.ALL));
    try (TensorScope s = TensorScope.open()) {
      Dsa.Draw draw = dsa.draw(new SplittableRandom(9), 1, 1, 10, 10);
      Tensor x = images(4, 5, 1, 10, 10);
      Tensor batch = draw.apply(x);
      for (int i = 0; i < 5; i++) {
        Tensor single = draw.apply(x.narrow(0, i, 1));
        assertThat(Tensors.maxAbsDiff(single, batch.narrow(0, i, 1))).isLessThan(1e-6);
      }
      assertThat(draw.transforms()).isEqualTo(DsaConfig.defaults().strategy());
    }
  }

  @Test
  void aDrawRejectsAnotherBatchSize() {
    try (TensorScope s = TensorScope.open()) {
      Dsa.Draw draw = Dsa.defaults().draw(new SplittableRandom(1), 4, 1, 8, 8);
      Tensor x = images(1, 3, 1, 8, 8);
      assertThatThrownBy(() -> draw.apply(x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("images must have shape [4, 1, 8, 8] but had [3, 1, 8, 8]");
    }
  }

  @Test
  void colorOnGrayscaleIsBrightnessThenContrastWithoutSaturation() {
    Dsa dsa = Dsa.of(DsaConfig.defaults().withStrategy("color").withMode(DsaMode.ALL));
    int n = 3;
    try (TensorScope s = TensorScope.open()) {
      Tensor x = images(5, n, 1, 4, 4);
      Tensor y = dsa.apply(x, new SplittableRandom(11));
      // expected: the first n draws are brightness offsets, the next n contrast factors
      SplittableRandom r = new SplittableRandom(11);
      float[] in = Tensors.toFloats(x);
      float[] out = Tensors.toFloats(y);
      double[] b = new double[n];
      double[] c = new double[n];
      for (int i = 0; i < n; i++) {
        b[i] = ((float) r.nextDouble() - 0.5) * 1.0;
      }
      for (int i = 0; i < n; i++) {
        c[i] = (float) r.nextDouble() + 0.5;
      }
      for (int i = 0; i < n; i++) {
        double mean = 0;
        for (int j = 0; j < 16; j++) {
          mean += in[i * 16 + j] + b[i];
        }
        mean /= 16;
        for (int j = 0; j < 16; j++) {
          double expected = (in[i * 16 + j] + b[i] - mean) * c[i] + mean;
          assertThat((double) out[i * 16 + j]).isCloseTo(expected, within(1e-5));
        }
      }
    }
  }

  @Test
  void flipWithProbabilityOneMirrorsEveryImage() {
    DsaConfig always =
        new DsaConfig(List.of(DsaTransform.FLIP), DsaMode.ALL, 1.0, 1.2, 15, 0.125, 0.5, 1, 2, 0.5);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = images(6, 3, 2, 5, 7);
      Tensor y = Dsa.of(always).apply(x, new SplittableRandom(1));
      assertThat(Tensors.maxAbsDiff(y, x.flip(3))).isZero();
    }
  }

  @Test
  void identityParametersLeaveImagesUnchanged() {
    // scale ratio 1, rotation 0 degrees, crop 0 pixels: resampling on the pixel grid
    DsaConfig identity =
        new DsaConfig(
            DsaConfig.parseStrategy("scale_rotate_crop"),
            DsaMode.ALL,
            0.5,
            1.0,
            0.0,
            0.0,
            0.5,
            1,
            2,
            0.5);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = images(7, 2, 3, 9, 6);
      Tensor y = Dsa.of(identity).apply(x, new SplittableRandom(2));
      assertThat(Tensors.maxAbsDiff(x, y)).isLessThan(1e-5);
    }
  }

  @Test
  void cropTranslatesWithZeroFill() {
    // with a pad ratio of 0.5 on a 4-pixel image, shifts are in [-2, 2]; every output pixel is
    // either 0 or an input pixel value
    DsaConfig crop =
        new DsaConfig(List.of(DsaTransform.CROP), DsaMode.ALL, 0.5, 1.2, 15, 0.5, 0.5, 1, 2, 0.5);
    try (TensorScope s = TensorScope.open()) {
      float[] v = new float[16];
      for (int i = 0; i < 16; i++) {
        v[i] = i + 1;
      }
      Tensor x = Tensors.fromFloats(v, 1, 1, 4, 4);
      for (int seed = 0; seed < 20; seed++) {
        float[] out = Tensors.toFloats(Dsa.of(crop).apply(x, new SplittableRandom(seed)));
        for (float o : out) {
          assertThat(o == 0f || (o >= 1f && o <= 16f && o == Math.rint(o))).isTrue();
        }
      }
    }
  }

  @Test
  void cutoutZeroesAtMostAHalfSideSquare() {
    DsaConfig cutout = DsaConfig.defaults().withStrategy("cutout");
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Tensors.fromFloats(filledOnes(4 * 16 * 16), 4, 1, 16, 16);
      float[] out = Tensors.toFloats(Dsa.of(cutout).apply(x, new SplittableRandom(4)));
      for (int i = 0; i < 4; i++) {
        int zeros = 0;
        for (int j = 0; j < 256; j++) {
          zeros += out[i * 256 + j] == 0f ? 1 : 0;
        }
        assertThat(zeros).isBetween(1, 64);
      }
    }
  }

  @Test
  void anEmptyStrategyReturnsTheInput() {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = randn(2, 1, 4, 4);
      Tensor y = Dsa.of(DsaConfig.none()).apply(x, new SplittableRandom(0));
      assertThat(Tensors.maxAbsDiff(x, y)).isZero();
    }
  }

  @Test
  void strategyStringsRoundTrip() {
    DsaConfig d = DsaConfig.defaults();
    assertThat(d.strategyString()).isEqualTo(DsaConfig.DEFAULT_STRATEGY);
    assertThat(DsaConfig.parseStrategy(d.strategyString())).isEqualTo(d.strategy());
    assertThat(DsaConfig.none().strategyString()).isEqualTo("none");
    assertThatThrownBy(() -> DsaConfig.parseStrategy("color_blur"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was blur");
  }

  private static float[] filledOnes(int n) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, 1f);
    return v;
  }
}
