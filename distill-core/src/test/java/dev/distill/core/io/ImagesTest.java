package dev.distill.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import dev.distill.core.tensor.SeededCases;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ImagesTest {
  /** Half an 8-bit step in [-1, 1] units, plus float slack. */
  static final double QUANTUM = 1.0 / 255 + 1e-6;

  @TempDir Path tmp;

  @Test
  void rgbTensorBecomesABgrMatAndBack() {
    try (TensorScope scope = TensorScope.open()) {
      // one pixel: R = 1, G = 0 (-> 128), B = -1
      Tensor rgb = Tensors.fromFloats(new float[] {1f, 0f, -1f}, 3, 1, 1);
      Mat mat = Images.toMat(rgb);
      assertThat(mat.type()).isEqualTo(CV_8UC3);
      byte[] bgr = new byte[3];
      mat.data().get(bgr);
      assertThat(Byte.toUnsignedInt(bgr[0])).isEqualTo(0);
      assertThat(Byte.toUnsignedInt(bgr[1])).isEqualTo(128);
      assertThat(Byte.toUnsignedInt(bgr[2])).isEqualTo(255);
      float[] back = Tensors.toFloats(Images.fromMat(mat));
      assertThat(back[0]).isEqualTo(1f);
      assertThat(back[1]).isCloseTo(0f, within((float) QUANTUM));
      assertThat(back[2]).isEqualTo(-1f);
    }
  }

  @Test
  void grayTensorBecomesASingleChannelMatAndOutOfRangeValuesAreClamped() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor gray = Tensors.fromFloats(new float[] {-3f, -1f, 1f, 7f}, 1, 2, 2);
      Mat mat = Images.toMat(gray);
      assertThat(mat.type()).isEqualTo(CV_8UC1);
      assertThat(mat.rows()).isEqualTo(2);
      assertThat(mat.cols()).isEqualTo(2);
      assertThat(Tensors.toFloats(Images.fromMat(mat))).containsExactly(-1f, -1f, 1f, 1f);
    }
  }

  @Test
  void nonFiniteValuesAndWrongShapesAreRejected() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor nan = Tensors.fromFloats(new float[] {Float.NaN}, 1, 1, 1);
      assertThatThrownBy(() -> Images.toMat(nan))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("finite");
      Tensor twoChannels = Tensors.fromFloats(new float[2], 2, 1, 1);
      assertThatThrownBy(() -> Images.toMat(twoChannels))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1 or 3 channels");
      assertThatThrownBy(() -> Images.fromMat(new Mat()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("empty");
    }
  }

  @Test
  void sixteenBitMatsUseTheFullSixteenBitRange() {
    try (TensorScope scope = TensorScope.open()) {
      Mat mat = new Mat(1, 2, org.bytedeco.opencv.global.opencv_core.CV_16UC1);
      new org.bytedeco.javacpp.ShortPointer(mat.data()).put(new short[] {0, (short) 65535});
      assertThat(Tensors.toFloats(Images.fromMat(mat))).containsExactly(-1f, 1f);
    }
  }

  @Test
  void batchConvertsToOneMatPerImage() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor batch = Tensors.fromFloats(new float[4 * 3 * 5 * 6], 4, 3, 5, 6);
      assertThat(Images.toMats(batch))
          .hasSize(4)
          .allSatisfy(m -> assertThat(m.cols()).isEqualTo(6));
    }
  }

  static Stream<Long> seeds() {
    return SeededCases.seeds(60);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void pngRoundTripIsExactUpToEightBitQuantisation(long seed) throws IOException {
    Random r = new Random(seed);
    int c = r.nextBoolean() ? 1 : 3;
    int h = 1 + r.nextInt(12);
    int w = 1 + r.nextInt(12);
    float[] values = new float[c * h * w];
    for (int i = 0; i < values.length; i++) {
      values[i] = r.nextFloat() * 2 - 1;
    }
    Path file = tmp.resolve("img-" + seed + ".png");
    try (TensorScope scope = TensorScope.open()) {
      Tensor image = Tensors.fromFloats(values, c, h, w);
      Images.writePng(file, image);
      Tensor back = Images.read(file, Images.ColorMode.AS_STORED);
      assertThat(Tensors.shape(back)).containsExactly(c, h, w);
      assertThat(Tensors.maxAbsDiff(image, back)).isLessThanOrEqualTo(QUANTUM);
      // converting through the Mat directly gives the same pixels
      assertThat(Tensors.maxAbsDiff(Images.fromMat(Images.toMat(image)), back)).isZero();
    }
    assertThat(Files.readAllBytes(file)).startsWith(0x89, 'P', 'N', 'G');
  }

  @Test
  void colorModesConvertBetweenGrayAndRgb() throws IOException {
    Path grayFile = tmp.resolve("gray.png");
    Path rgbFile = tmp.resolve("rgb.png");
    try (TensorScope scope = TensorScope.open()) {
      Images.writePng(grayFile, Tensors.fromFloats(new float[] {-1f, 1f}, 1, 1, 2));
      Images.writePng(rgbFile, Tensors.fromFloats(new float[] {1f, 1f, 1f, 1f, 1f, 1f}, 3, 1, 2));
      Tensor grayAsRgb = Images.read(grayFile, Images.ColorMode.RGB);
      assertThat(Tensors.shape(grayAsRgb)).containsExactly(3, 1, 2);
      assertThat(Tensors.toFloats(grayAsRgb)).containsExactly(-1f, 1f, -1f, 1f, -1f, 1f);
      Tensor rgbAsGray = Images.read(rgbFile, Images.ColorMode.GRAY);
      assertThat(Tensors.shape(rgbAsGray)).containsExactly(1, 1, 2);
      assertThat(Tensors.toFloats(rgbAsGray)).containsExactly(1f, 1f);
    }
  }

  @Test
  void missingOrUndecodableFilesFailNamingTheFile() throws IOException {
    Path missing = tmp.resolve("missing.png");
    assertThatThrownBy(() -> Images.read(missing, Images.ColorMode.AS_STORED))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(missing.toString());
    Path garbage = tmp.resolve("garbage.png");
    Files.write(garbage, new byte[] {1, 2, 3, 4, 5});
    assertThatThrownBy(() -> Images.read(garbage, Images.ColorMode.AS_STORED))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("could not be decoded");
  }

  @Test
  void writtenPngLeavesNoTemporaryFile() throws IOException {
    try (TensorScope scope = TensorScope.open()) {
      Images.writePng(tmp.resolve("a/b/one.png"), Tensors.fromFloats(new float[] {0f}, 1, 1, 1));
    }
    try (Stream<Path> files = Files.list(tmp.resolve("a/b"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("one.png");
    }
  }

  @Test
  void maskPngsKeepEveryEightBitValueExactly() throws IOException {
    int[] values = new int[256 * 3];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i * 7) % 256;
    }
    dev.distill.api.annotation.Mask mask = dev.distill.api.annotation.Mask.of(256, 3, values);
    Path file = tmp.resolve("m/mask.png");
    Images.writeMaskPng(file, mask);
    assertThat(Images.readMask(file)).isEqualTo(mask);
    try (TensorScope scope = TensorScope.open()) {
      Images.writePng(tmp.resolve("rgb.png"), Tensors.fromFloats(new float[12], 3, 2, 2));
    }
    assertThatThrownBy(() -> Images.readMask(tmp.resolve("rgb.png")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("rgb.png must be 8-bit with one channel but had 3 channels");
    assertThatThrownBy(() -> Images.readMask(tmp.resolve("none.png")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("none.png");
  }
}
