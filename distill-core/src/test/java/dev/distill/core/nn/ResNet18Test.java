package dev.distill.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.pytorch.global.torch.randn;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Path;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ResNet18Test {
  @BeforeAll
  static void oneThread() {
    // LibTorch's OpenMP pool spins and waits badly on an oversubscribed CPU; tiny tests run
    // 10-40x faster on one thread
    torch.set_num_threads(1);
  }

  @ParameterizedTest
  @EnumSource(Norm.class)
  void logitsAndFeaturesHaveTheConfiguredShapes(Norm norm) {
    ResNetConfig config = ResNetConfig.of(1, 28, 28, 10).withBaseWidth(4).withNorm(norm);
    try (ResNet18 net = ResNet18.of(config, 0);
        TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      Tensor x = randn(2, 1, 28, 28);
      assertThat(Tensors.shape(net.penultimate(x))).containsExactly(2, 32);
      assertThat(Tensors.shape(net.forward(x, true))).containsExactly(2, 10);
    }
  }

  @Test
  void fullWidthResNet18HasItsUsualParameterCount() {
    try (ResNet18 net = ResNet18.of(ResNetConfig.of(3, 32, 32, 10), 0)) {
      // torchvision-style CIFAR ResNet-18: 11,173,962 parameters with BN (and with GroupNorm
      // affine)
      assertThat(net.parameters().count()).isEqualTo(11_173_962L);
      assertThat(net.parameters().names())
          .contains(
              "conv1.weight",
              "layer1.0.conv1.weight",
              "layer2.0.shortcut.0.weight",
              "layer4.1.bn2.bias",
              "classifier.weight");
    }
  }

  @Test
  void batchNormUpdatesRunningStatisticsOnlyInTraining() {
    ResNetConfig config = ResNetConfig.of(3, 8, 8, 4).withBaseWidth(2).withNorm(Norm.BATCH);
    try (ResNet18 net = ResNet18.of(config, 1);
        TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      Tensor x =
          randn(4, 3, 8, 8)
              .mul(new org.bytedeco.pytorch.Scalar(3))
              .add(new org.bytedeco.pytorch.Scalar(2));
      float[] before = Tensors.toFloats(net.parameters().get("bn1.running_mean"));
      net.forward(x, false);
      assertThat(Tensors.toFloats(net.parameters().get("bn1.running_mean")))
          .containsExactly(before);
      net.forward(x, true);
      assertThat(Tensors.toFloats(net.parameters().get("bn1.running_mean"))).isNotEqualTo(before);
    }
  }

  @Test
  void saveThenLoadGivesTheSameLogits(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.safetensors");
    ResNetConfig config = ResNetConfig.of(3, 8, 8, 4).withBaseWidth(2).withNorm(Norm.BATCH);
    try (ResNet18 net = ResNet18.of(config, 5);
        TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      net.forward(randn(4, 3, 8, 8), true); // move the running statistics away from their init
      net.save(file);
      Tensor x = randn(2, 3, 8, 8);
      try (ResNet18 loaded = ResNet18.load(file)) {
        assertThat(loaded.config()).isEqualTo(config);
        assertThat(Tensors.maxAbsDiff(net.forward(x), loaded.forward(x))).isZero();
      }
    }
  }
}
