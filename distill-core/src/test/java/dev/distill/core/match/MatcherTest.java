package dev.distill.core.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.pytorch.global.torch.randn;

import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MatcherTest {
  @BeforeAll
  static void oneThread() {
    // LibTorch's OpenMP pool spins and waits badly on an oversubscribed CPU; tiny tests run
    // 10-40x faster on one thread
    torch.set_num_threads(1);
  }

  private static final long BASE_SEED = Long.getLong("distill.seed", 77L);

  static Stream<Long> seeds() {
    SplittableRandom r = new SplittableRandom(BASE_SEED);
    return LongStream.range(0, 50).mapToObj(i -> r.nextLong());
  }

  private static float[] randomLogits(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * 3);
    }
    return v;
  }

  private static double[] logSoftmax(float[] logits, int row, int k, double scale) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) {
      max = Math.max(max, logits[row * k + j] * scale);
    }
    double sum = 0;
    for (int j = 0; j < k; j++) {
      sum += Math.exp(logits[row * k + j] * scale - max);
    }
    double[] out = new double[k];
    for (int j = 0; j < k; j++) {
      out[j] = logits[row * k + j] * scale - max - Math.log(sum);
    }
    return out;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void hardMatcherEqualsManualCrossEntropy(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int b = 1 + r.nextInt(8);
    int k = 2 + r.nextInt(9);
    float[] logits = randomLogits(r, b * k);
    long[] labels = new long[b];
    double expected = 0;
    for (int i = 0; i < b; i++) {
      labels[i] = r.nextInt(k);
      expected -= logSoftmax(logits, i, k, 1.0)[(int) labels[i]];
    }
    expected /= b;
    try (TensorScope s = TensorScope.open()) {
      Tensor loss =
          HardLabelMatcher.of()
              .loss(
                  Tensors.fromFloats(logits, b, k),
                  randn(b, 1, 2, 2),
                  Tensors.fromLongs(labels, b));
      assertThat(loss.dim()).isZero();
      assertThat(loss.item_double()).isCloseTo(expected, within(1e-5 * Math.max(1, expected)));
    }
  }

  @Test
  void softMatcherIsZeroWhenTheStudentHasTheTeachersLogits() {
    ConvNetConfig config = ConvNetConfig.of(1, 8, 8, 4).withNetWidth(4).withNetDepth(2);
    try (ConvNet teacher = ConvNet.of(config, 1);
        TensorScope s = TensorScope.open()) {
      Tensor x = randn(5, 1, 8, 8);
      Tensor studentLogits;
      try (NoGradGuard g = new NoGradGuard()) {
        studentLogits = teacher.forward(x).clone();
      }
      for (double t : new double[] {1.0, 4.0, 20.0}) {
        double loss =
            SoftLabelMatcher.of(teacher, t)
                .loss(studentLogits, x, Tensors.fromLongs(new long[5], 5))
                .item_double();
        assertThat(loss).isCloseTo(0.0, within(1e-5));
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void softMatcherKlEqualsManualFormula(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int b = 1 + r.nextInt(6);
    int k = 2 + r.nextInt(8);
    double t = 0.5 + r.nextDouble() * 10;
    float[] teacher = randomLogits(r, b * k);
    float[] student = randomLogits(r, b * k);
    double expected = 0;
    for (int i = 0; i < b; i++) {
      double[] lp = logSoftmax(teacher, i, k, 1 / t);
      double[] lq = logSoftmax(student, i, k, 1 / t);
      for (int j = 0; j < k; j++) {
        expected += Math.exp(lp[j]) * (lp[j] - lq[j]);
      }
    }
    expected *= t * t / b;
    try (TensorScope s = TensorScope.open()) {
      Tensor lp =
          Tensors.fromFloats(teacher, b, k).div(new org.bytedeco.pytorch.Scalar(t)).log_softmax(1);
      Tensor lq =
          Tensors.fromFloats(student, b, k).div(new org.bytedeco.pytorch.Scalar(t)).log_softmax(1);
      double loss = SoftLabelMatcher.klLoss(lp, lq, t).item_double();
      assertThat(loss).isCloseTo(expected, within(1e-4 * Math.max(1, expected)));
      assertThat(loss).isGreaterThanOrEqualTo(-1e-6);
    }
  }

  @Test
  void softMatcherTrainsTheStudentButNotTheTeacher() {
    ConvNetConfig config = ConvNetConfig.of(1, 8, 8, 3).withNetWidth(4).withNetDepth(2);
    try (ConvNet teacher = ConvNet.of(config, 1);
        ConvNet student = ConvNet.of(config, 2);
        TensorScope s = TensorScope.open()) {
      Tensor x = randn(4, 1, 8, 8);
      Tensor loss =
          SoftLabelMatcher.of(teacher, 4.0)
              .loss(student.forward(x, true), x, Tensors.fromLongs(new long[4], 4));
      loss.backward();
      assertThat(loss.item_double()).isGreaterThan(0.0);
      assertThat(student.parameters().get("classifier.weight").grad().defined()).isTrue();
      assertThat(teacher.parameters().get("classifier.weight").grad().defined()).isFalse();
      assertThat(teacher.parameters().get("features.0.weight").grad().defined()).isFalse();
    }
  }

  @Test
  void softMatcherRejectsANonPositiveTemperatureAndMismatchedLogits() {
    ConvNetConfig config = ConvNetConfig.of(1, 8, 8, 3).withNetWidth(2).withNetDepth(1);
    try (ConvNet teacher = ConvNet.of(config, 1);
        TensorScope s = TensorScope.open()) {
      assertThatThrownBy(() -> SoftLabelMatcher.of(teacher, 0))
          .hasMessageContaining("temperature must be > 0 but was 0.0");
      Tensor x = randn(2, 1, 8, 8);
      assertThatThrownBy(
              () ->
                  SoftLabelMatcher.of(teacher, 1)
                      .loss(randn(2, 5), x, Tensors.fromLongs(new long[2], 2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("studentLogits must have shape [2, 3]");
    }
  }

  @Test
  void namesAreStable() {
    assertThat(HardLabelMatcher.of().name()).isEqualTo("hard");
    try (ConvNet teacher = ConvNet.of(ConvNetConfig.of(1, 8, 8, 3).withNetWidth(2), 1)) {
      assertThat(SoftLabelMatcher.of(teacher, 2).name()).isEqualTo("soft-kl");
    }
  }
}
