package dev.distill.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.augment.DsaConfig;
import dev.distill.core.eval.ClassifierTrainer;
import dev.distill.core.eval.TrainConfig;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bf16-on-CPU path of the students: forward and a short training run stay close to float32,
 * parameters, running statistics and logits stay float32.
 *
 * <p>Tolerances: bfloat16 rounds each conv input and weight to 8 significant bits (≈ 0.4% relative
 * error after accumulation), normalisation runs in float32 and removes scale drift, so logits of a
 * 2–3 layer net differ by a few percent of their scale; the bounds are about 3× the measured values
 * (printed), which are far below what a wrong path (e.g. a dropped norm) would give.
 */
class ReducedPrecisionStudentTest {
  private static final DeviceOptions BF16 = DeviceOptions.cpu(ScalarType.BFloat16);

  @BeforeAll
  static void oneThread() {
    torch.set_num_threads(1);
  }

  private static Tensor images(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n * 64];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return Tensors.fromFloats(v, n, 1, 8, 8);
  }

  @Test
  void bf16ConvNetForwardStaysCloseToFloat32() {
    ConvNetConfig c = new ConvNetConfig(1, 8, 8, 4, 16, 2, Norm.INSTANCE);
    try (ConvNet a = ConvNet.of(c, 3);
        ConvNet b = ConvNet.of(c, 3, BF16);
        TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      Tensor x = images(8, 1);
      Tensor la = a.forward(x);
      Tensor lb = b.forward(x);
      assertThat(lb.scalar_type().intern()).isEqualTo(ScalarType.Float);
      assertThat(b.penultimate(x).scalar_type().intern()).isEqualTo(ScalarType.Float);
      double rel = Tensors.maxAbsDiff(la, lb) / la.abs().max().item_double();
      System.out.printf("ConvNet forward bf16 vs fp32: max |diff| / max |logit| = %.4f%n", rel);
      assertThat(rel).isGreaterThan(0.0).isLessThan(0.05);
    }
  }

  @Test
  void bf16BatchNormResNetKeepsFloat32RunningStatistics() {
    ResNetConfig c = new ResNetConfig(1, 8, 8, 4, 4, Norm.BATCH);
    try (ResNet18 a = ResNet18.of(c, 3);
        ResNet18 b = ResNet18.of(c, 3, BF16);
        TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      Tensor x = images(8, 2);
      a.forward(x, true);
      b.forward(x, true); // updates running statistics in float32
      Tensor ra = a.parameters().get("bn1.running_mean");
      Tensor rb = b.parameters().get("bn1.running_mean");
      assertThat(rb.scalar_type().intern()).isEqualTo(ScalarType.Float);
      double stats = Tensors.maxAbsDiff(ra, rb) / ra.abs().max().item_double();
      Tensor la = a.forward(x, false);
      Tensor lb = b.forward(x, false);
      double rel = Tensors.maxAbsDiff(la, lb) / la.abs().max().item_double();
      System.out.printf(
          "ResNet18-BN (width 4) bf16 vs fp32: running mean rel %.4f, eval logits rel %.4f%n",
          stats, rel);
      assertThat(stats).isLessThan(0.03);
      assertThat(rel).isGreaterThan(0.0).isLessThan(0.1);
    }
  }

  @Test
  void bf16TrainingStaysCloseToFloat32() {
    ConvNetConfig c = new ConvNetConfig(1, 8, 8, 4, 16, 2, Norm.INSTANCE);
    TrainConfig fp32 = TrainConfig.dsaEvaluation().withEpochs(3).withAugmentation(DsaConfig.none());
    TrainConfig bf16 = fp32.withDevice(BF16);
    try (ConvNet a = ConvNet.of(c, 3);
        ConvNet b = ConvNet.of(c, 3, BF16);
        TensorScope s = TensorScope.open()) {
      Tensor x = images(16, 4);
      Tensor y = Tensors.fromInts(new int[] {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3});
      double lossA =
          ClassifierTrainer.of(fp32)
              .train(a, x, y, HardLabelMatcher.of(), 1, p -> {}, "t")
              .finalLoss();
      double lossB =
          ClassifierTrainer.of(bf16)
              .train(b, x, y, HardLabelMatcher.of(), 1, p -> {}, "t")
              .finalLoss();
      double w =
          Tensors.maxAbsDiff(
              a.parameters().get("classifier.weight"), b.parameters().get("classifier.weight"));
      Tensor wa = a.parameters().get("classifier.weight");
      double scale = wa.abs().max().item_double();
      System.out.printf(
          "ConvNet 3 SGD steps bf16 vs fp32: loss %.5f vs %.5f, classifier weight rel %.2e%n",
          lossA, lossB, w / scale);
      assertThat(b.parameters().get("classifier.weight").scalar_type().intern())
          .isEqualTo(ScalarType.Float);
      assertThat(Math.abs(lossA - lossB) / lossA).isLessThan(0.05);
      assertThat(w / scale).isLessThan(0.01);
    }
  }

  @Test
  void trainingANetOnAnotherDeviceThanTheConfigFailsNamingBoth() {
    ConvNetConfig c = new ConvNetConfig(1, 8, 8, 4, 8, 2, Norm.INSTANCE);
    try (ConvNet a = ConvNet.of(c, 3);
        TensorScope s = TensorScope.open()) {
      Tensor x = images(4, 4);
      Tensor y = Tensors.fromInts(new int[] {0, 1, 2, 3});
      TrainConfig bf16 = TrainConfig.dsaEvaluation().withEpochs(1).withDevice(BF16);
      assertThatThrownBy(
              () ->
                  ClassifierTrainer.of(bf16).train(a, x, y, HardLabelMatcher.of(), 1, p -> {}, "t"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("net must run on cpu/BFloat16 (TrainConfig.device) but runs on cpu/Float");
    }
  }
}
