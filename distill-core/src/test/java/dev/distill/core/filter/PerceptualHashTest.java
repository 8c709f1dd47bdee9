package dev.distill.core.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.LongStream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_img_hash.PHash;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PerceptualHashTest {
  /** Base seed of the property cases; override with {@code -Ddistill.seed=...} to replay one. */
  private static final long BASE_SEED = Long.getLong("distill.seed", 0x5EEDL);

  static LongStream seeds() {
    return LongStream.range(0, 100).map(i -> BASE_SEED + i);
  }

  private static float[] negate(float[] image) {
    float[] out = new float[image.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = -image[i];
    }
    return out;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void distanceToItselfIsZeroAndToAVeryDifferentImageIsLarge(long seed) {
    Random r = new Random(seed);
    int c = r.nextBoolean() ? 1 : 3;
    int h = 16 + r.nextInt(49);
    int w = 16 + r.nextInt(49);
    float[] a = TestImages.smooth(r, c, h, w);
    float[] unrelated = TestImages.smooth(r, c, h, w);
    try (TensorScope scope = TensorScope.open()) {
      long[] hashes =
          PerceptualHash.hashes(
              Tensors.fromFloats(TestImages.concat(a, a, negate(a), unrelated), 4, c, h, w));
      assertThat(PerceptualHash.distance(hashes[0], hashes[1])).isZero();
      assertThat(PerceptualHash.distance(hashes[0], hashes[2])).isGreaterThanOrEqualTo(48);
      assertThat(PerceptualHash.distance(hashes[0], hashes[3]))
          .isGreaterThan(DedupConfig.DEFAULT_MAX_HAMMING_DISTANCE);
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void noiseAndBrightnessMoveFewBits(long seed) {
    Random r = new Random(seed);
    int c = r.nextBoolean() ? 1 : 3;
    int size = 48 + r.nextInt(49);
    float[] a = TestImages.smooth(r, c, size, size);
    float[] noisy = TestImages.perturb(a, c, size, size, TestImages.Perturbation.NOISE, r);
    float[] brighter = TestImages.perturb(a, c, size, size, TestImages.Perturbation.BRIGHTNESS, r);
    try (TensorScope scope = TensorScope.open()) {
      long[] hashes =
          PerceptualHash.hashes(
              Tensors.fromFloats(TestImages.concat(a, noisy, brighter), 3, c, size, size));
      assertThat(PerceptualHash.distance(hashes[0], hashes[1]))
          .isLessThanOrEqualTo(DedupConfig.DEFAULT_MAX_HAMMING_DISTANCE);
      assertThat(PerceptualHash.distance(hashes[0], hashes[2])).isLessThanOrEqualTo(4);
    }
  }

  @Test
  void constantImageHashesToZero() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor grey = Tensors.fromFloats(new float[3 * 20 * 20], 1, 3, 20, 20);
      assertThat(PerceptualHash.hashes(grey)).containsExactly(0L);
    }
  }

  @Test
  void distanceEqualsOpenCvCompareAndBitsFollowOpenCvBytes() {
    Random r = new Random(1);
    float[] a = TestImages.smooth(r, 1, 40, 40);
    float[] b = TestImages.smooth(r, 1, 40, 40);
    try (TensorScope scope = TensorScope.open()) {
      long[] ours =
          PerceptualHash.hashes(Tensors.fromFloats(TestImages.concat(a, b), 2, 1, 40, 40));
      Mat[] cv = new Mat[2];
      float[][] images = {a, b};
      PHash algorithm = PHash.create();
      for (int i = 0; i < 2; i++) {
        byte[] pixels = new byte[40 * 40];
        for (int p = 0; p < pixels.length; p++) {
          pixels[p] = (byte) Math.max(0, Math.min(255, Math.round((images[i][p] + 1) * 127.5f)));
        }
        Mat image = new Mat(40, 40, opencv_core.CV_8UC1);
        image.data().put(pixels);
        cv[i] = new Mat();
        algorithm.compute(image, cv[i]);
        byte[] bytes = new byte[8];
        cv[i].data().get(bytes);
        for (int j = 0; j < 8; j++) {
          assertThat((byte) (ours[i] >>> (8 * j))).isEqualTo(bytes[j]);
        }
      }
      assertThat((double) PerceptualHash.distance(ours[0], ours[1]))
          .isEqualTo(algorithm.compare(cv[0], cv[1]));
    }
  }

  @Test
  void rgbIsHashedAsOpenCvGrey() {
    // a red-only pattern and the same pattern in blue have different grey levels (0.299 vs 0.114)
    // but the same structure, so the same hash; swapping the channel order must not matter here
    Random r = new Random(3);
    float[] pattern = TestImages.smooth(r, 1, 32, 32);
    float[] red = new float[3 * 32 * 32];
    float[] blue = new float[3 * 32 * 32];
    Arrays.fill(red, -1f);
    Arrays.fill(blue, -1f);
    System.arraycopy(pattern, 0, red, 0, 32 * 32);
    System.arraycopy(pattern, 0, blue, 2 * 32 * 32, 32 * 32);
    try (TensorScope scope = TensorScope.open()) {
      long[] h =
          PerceptualHash.hashes(Tensors.fromFloats(TestImages.concat(red, blue), 2, 3, 32, 32));
      assertThat(PerceptualHash.distance(h[0], h[1])).isLessThanOrEqualTo(4);
    }
  }

  @Test
  void badShapesAndValuesAreRejected() {
    try (TensorScope scope = TensorScope.open()) {
      assertThatThrownBy(() -> PerceptualHash.hashes(Tensors.fromFloats(new float[8], 1, 2, 2, 2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("images must have shape [N, 1 or 3, H, W] but had [1, 2, 2, 2]");
      assertThatThrownBy(
              () -> PerceptualHash.hashes(Tensors.fromFloats(new float[] {Float.NaN}, 1, 1, 1, 1)))
          .hasMessageContaining("images must be finite");
      assertThatThrownBy(() -> PerceptualHash.hashes(Tensors.fromBytes(new byte[4], 1, 1, 2, 2)))
          .hasMessageContaining("images must be floating point");
    }
  }

  @Test
  void hashingManyImagesReleasesEveryNativeObject() {
    Random r = new Random(4);
    try (TensorScope scope = TensorScope.open()) {
      float[][] images = new float[70][];
      for (int i = 0; i < images.length; i++) {
        images[i] = TestImages.smooth(r, 3, 24, 24);
      }
      Tensor batch = Tensors.fromFloats(TestImages.concat(images), 70, 3, 24, 24);
      PerceptualHash.hashes(batch);
      long baseline = Pointer.totalCount();
      for (int i = 0; i < 5; i++) {
        PerceptualHash.hashes(batch);
      }
      assertThat(Pointer.totalCount())
          .as("live native objects (the GC may free stray unscoped ones, a leak adds)")
          .isLessThanOrEqualTo(baseline);
    }
  }
}
