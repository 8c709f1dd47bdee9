package dev.distill.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import org.junit.jupiter.params.provider.CsvSource;

class ConvNetTest {
  @BeforeAll
  static void oneThread() {
    // LibTorch's OpenMP pool spins and waits badly on an oversubscribed CPU; tiny tests run
    // 10-40x faster on one thread
    torch.set_num_threads(1);
  }

  @ParameterizedTest(name = "[{index}] {0}x{1}x{2} width {3} depth {4}")
  @CsvSource({
    "1, 28, 28, 16, 3, 256",
    "3, 32, 32, 8, 3, 128",
    "1, 28, 28, 8, 2, 512",
    "3, 16, 24, 4, 2, 96"
  })
  void logitsAndFeaturesHaveTheConfiguredShapes(
      int c, int h, int w, int width, int depth, int featureDim) {
    ConvNetConfig config = ConvNetConfig.of(c, h, w, 10).withNetWidth(width).withNetDepth(depth);
    try (ConvNet net = ConvNet.of(config, 0);
        TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      Tensor x = randn(2, c, h, w);
      assertThat(net.featureDim()).isEqualTo(featureDim);
      assertThat(Tensors.shape(net.penultimate(x))).containsExactly(2, featureDim);
      assertThat(Tensors.shape(net.forward(x))).containsExactly(2, 10);
    }
  }

  @Test
  void convNet3OnFashionMnistHasDcsFeatureSize() {
    // DC pads the first conv by 3 for 1-channel input: 28 -> 32 -> 16 -> 8 -> 4
    assertThat(ConvNetConfig.of(1, 28, 28, 10).featureDim()).isEqualTo(128 * 4 * 4);
  }

  @Test
  void parameterNamesFollowTheDcStateDict() {
    try (ConvNet net = ConvNet.of(ConvNetConfig.of(1, 28, 28, 10).withNetWidth(4), 0)) {
      assertThat(net.parameters().names())
          .containsExactly(
              "features.0.weight",
              "features.0.bias",
              "features.1.weight",
              "features.1.bias",
              "features.4.weight",
              "features.4.bias",
              "features.5.weight",
              "features.5.bias",
              "features.8.weight",
              "features.8.bias",
              "features.9.weight",
              "features.9.bias",
              "classifier.weight",
              "classifier.bias");
      assertThat(net.parameters().trainable().values()).allMatch(Tensor::requires_grad);
    }
  }

  @Test
  void sameSeedGivesSameWeightsAndOtherSeedDiffers() {
    ConvNetConfig config = ConvNetConfig.of(1, 12, 12, 3).withNetWidth(4).withNetDepth(2);
    try (ConvNet a = ConvNet.of(config, 7);
        ConvNet b = ConvNet.of(config, 7);
        ConvNet c = ConvNet.of(config, 8)) {
      String name = "features.0.weight";
      assertThat(Tensors.toFloats(a.parameters().get(name)))
          .containsExactly(Tensors.toFloats(b.parameters().get(name)));
      assertThat(Tensors.toFloats(a.parameters().get(name)))
          .isNotEqualTo(Tensors.toFloats(c.parameters().get(name)));
    }
  }

  @Test
  void saveThenLoadGivesTheSameLogits(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("net.safetensors");
    ConvNetConfig config = ConvNetConfig.of(3, 16, 16, 5).withNetWidth(6).withNetDepth(2);
    try (ConvNet net = ConvNet.of(config, 3);
        TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      net.save(file);
      Tensor x = randn(3, 3, 16, 16);
      try (ConvNet loaded = ConvNet.load(file)) {
        assertThat(loaded.config()).isEqualTo(config);
        assertThat(Tensors.maxAbsDiff(net.forward(x), loaded.forward(x))).isZero();
      }
    }
  }

  @Test
  void rejectsImagesOfAnotherShape() {
    try (ConvNet net = ConvNet.of(ConvNetConfig.of(1, 28, 28, 10).withNetWidth(4), 0);
        TensorScope s = TensorScope.open()) {
      Tensor x = randn(2, 3, 28, 28);
      assertThatThrownBy(() -> net.forward(x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("images must have shape [B, 1, 28, 28] but had [2, 3, 28, 28]");
    }
  }

  @Test
  void rejectsADepthThatLeavesNoFeatureMap() {
    assertThatThrownBy(() -> ConvNetConfig.of(3, 8, 8, 10).withNetDepth(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("netDepth must leave a feature map");
  }

  @Test
  void penultimateEncoderGivesFeaturesAndAWeightDependentId() {
    ConvNetConfig config = ConvNetConfig.of(1, 12, 12, 3).withNetWidth(4).withNetDepth(2);
    try (ConvNet a = ConvNet.of(config, 1);
        ConvNet b = ConvNet.of(config, 2);
        TensorScope s = TensorScope.open()) {
      PenultimateEncoder e = PenultimateEncoder.of(a);
      Tensor f = e.encode(randn(2, 1, 12, 12));
      assertThat(Tensors.shape(f)).containsExactly(2, e.featureDim());
      assertThat(f.requires_grad()).isFalse();
      assertThat(e.id())
          .startsWith("convnet2-penultimate@")
          .isEqualTo(PenultimateEncoder.of(a).id());
      assertThat(PenultimateEncoder.of(b).id()).isNotEqualTo(e.id());
    }
  }
}
