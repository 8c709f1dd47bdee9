package dev.distill.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.ImageSize;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImageTransformsTest {
  static Stream<Arguments> sizes() {
    // source h, w -> target h, w
    return Stream.of(
        Arguments.of(24, 40, 64, 64),
        Arguments.of(40, 24, 64, 64),
        Arguments.of(500, 375, 224, 224),
        Arguments.of(1024, 1024, 28, 28),
        Arguments.of(64, 64, 24, 40),
        Arguments.of(33, 17, 32, 48));
  }

  @ParameterizedTest(name = "{0}x{1} -> {2}x{3}")
  @MethodSource("sizes")
  void everyModeReachesTheTargetShape(int h, int w, int th, int tw) {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Rng.normal(1, 2, 3, h, w).tanh();
      for (ResizeMode mode : ResizeMode.values()) {
        Tensor y = ImageTransforms.resize(x, ImageSize.of(th, tw), mode);
        assertThat(Tensors.shape(y)).as("%s", mode).containsExactly(2, 3, th, tw);
      }
    }
  }

  @Test
  void coverSizeIsTorchvisionResizeOfTheShorterSide() {
    // torchvision Resize(224) on 500x375 (h x w): shorter side 375 -> 224, longer
    // int(224*500/375)=298
    assertThat(ImageTransforms.coverSize(500, 375, ImageSize.square(224)))
        .containsExactly(298, 224);
    assertThat(ImageTransforms.coverSize(375, 500, ImageSize.square(224)))
        .containsExactly(224, 298);
    // a wide target covers a square source: width rules
    assertThat(ImageTransforms.coverSize(64, 64, ImageSize.of(24, 40))).containsExactly(40, 40);
  }

  @Test
  void coverCropKeepsTheCentreUndistorted() {
    try (TensorScope s = TensorScope.open()) {
      // a 1x1x4x8 ramp along the width; a 4x4 cover-crop keeps the middle 4 columns
      float[] v = new float[32];
      for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 8; j++) {
          v[i * 8 + j] = j;
        }
      }
      Tensor x = Tensors.fromFloats(v, 1, 1, 4, 8);
      Tensor y = ImageTransforms.resize(x, ImageSize.square(4), ResizeMode.COVER_CROP);
      assertThat(Tensors.toFloats(y.select(2, 0).contiguous())).containsExactly(2, 3, 4, 5);
      Tensor z = ImageTransforms.resize(x, ImageSize.square(4), ResizeMode.STRETCH);
      float[] row = Tensors.toFloats(z.select(2, 0).contiguous());
      assertThat(row[0]).isLessThan(1.0f);
      assertThat(row[3]).isGreaterThan(6.0f);
    }
  }

  @Test
  void antialiasedDownscalingAveragesInsteadOfAliasing() {
    try (TensorScope s = TensorScope.open()) {
      // a one-pixel checkerboard: without antialiasing a 4x downscale samples one colour
      float[] v = new float[64 * 64];
      for (int i = 0; i < 64; i++) {
        for (int j = 0; j < 64; j++) {
          v[i * 64 + j] = ((i + j) % 2 == 0) ? 1f : -1f;
        }
      }
      Tensor x = Tensors.fromFloats(v, 1, 1, 64, 64);
      Tensor y = ImageTransforms.resize(x, ImageSize.square(16), ResizeMode.COVER_CROP);
      assertThat(y.abs().max().item_double()).isLessThan(0.2);
    }
  }

  @Test
  void sameSizeIsReturnedAsIs() {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Rng.normal(3, 1, 1, 8, 8);
      assertThat(ImageTransforms.fit(x, ImageSize.square(8), 1, ResizeMode.COVER_CROP)).isSameAs(x);
    }
  }

  @Test
  void grayBecomesRgbByReplicationAndRgbBecomesGrayByLuminance() {
    try (TensorScope s = TensorScope.open()) {
      Tensor gray = Rng.normal(4, 2, 1, 5, 5);
      Tensor rgb = ImageTransforms.toChannels(gray, 3);
      assertThat(Tensors.shape(rgb)).containsExactly(2, 3, 5, 5);
      for (int c = 0; c < 3; c++) {
        assertThat(Tensors.maxAbsDiff(rgb.narrow(1, c, 1), gray)).isZero();
      }
      assertThat(Tensors.maxAbsDiff(ImageTransforms.toChannels(rgb, 1), gray)).isLessThan(1e-6);
      Tensor red = Tensors.fromFloats(new float[] {1, 0, 0}, 1, 3, 1, 1);
      assertThat(ImageTransforms.toChannels(red, 1).item_double())
          .isEqualTo(0.299, org.assertj.core.data.Offset.offset(1e-6));
    }
  }

  @Test
  void resizingIsDifferentiable() {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Rng.normal(5, 1, 3, 20, 30).requires_grad_(true);
      Tensor y = ImageTransforms.fit(x, ImageSize.of(8, 8), 1, ResizeMode.COVER_CROP);
      y.sum().backward();
      assertThat(x.grad().defined()).isTrue();
      assertThat(x.grad().abs().sum().item_double()).isGreaterThan(0);
    }
  }

  @Test
  void badChannelCountsAreRejectedNamingTheShape() {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Rng.normal(6, 1, 2, 4, 4);
      assertThatThrownBy(() -> ImageTransforms.toChannels(x, 3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[1, 2, 4, 4]");
      assertThatThrownBy(() -> ImageTransforms.toChannels(Rng.normal(6, 1, 1, 4, 4), 2))
          .hasMessageContaining("channels must be 1 or 3 but was 2");
    }
  }
}
