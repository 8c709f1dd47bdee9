package dev.distill.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.distill.core.io.Idx;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  @TempDir Path tmp;

  @Test
  void bundledTrainingSliceHasExactlyOneThousandImagesPerClass() throws IOException {
    try (LabeledImages train = FashionMnist.train()) {
      assertThat(train.size()).isEqualTo(10_000);
      assertThat(Tensors.shape(train.images())).containsExactly(10_000, 1, 28, 28);
      assertThat(train.classNames())
          .containsExactly(
              "T-shirt/top",
              "Trouser",
              "Pullover",
              "Dress",
              "Coat",
              "Sandal",
              "Shirt",
              "Sneaker",
              "Bag",
              "Ankle boot");
      for (int c = 0; c < 10; c++) {
        assertThat(train.indicesOf(c)).as("class %s", c).hasSize(1000);
      }
      try (TensorScope scope = TensorScope.open()) {
        assertThat(train.images().min().item_double()).isEqualTo(-1.0);
        assertThat(train.images().max().item_double()).isEqualTo(1.0);
      }
    }
  }

  @Test
  void bundledTestSetIsTheFullTestSetWithPixelsMappedToMinusOneToOne() throws IOException {
    try (LabeledImages test = FashionMnist.test();
        TensorScope scope = TensorScope.open()) {
      assertThat(test.size()).isEqualTo(10_000);
      assertThat(test.imageShape()).containsExactly(1, 28, 28);
      int[] first = new int[10];
      for (int i = 0; i < 10; i++) {
        first[i] = test.label(i);
      }
      assertThat(first).containsExactly(9, 2, 1, 1, 6, 1, 4, 6, 5, 7);
      for (int c = 0; c < 10; c++) {
        assertThat(test.indicesOf(c)).hasSize(1000);
      }
      // raw pixel (row 14, col 14) of image 0 is 110, of image 1 is 234; image 0 sums to 33456
      assertThat(test.images().get(0).get(0).get(14).get(14).item_double())
          .isCloseTo(110 / 127.5 - 1, org.assertj.core.data.Offset.offset(1e-6));
      assertThat(test.images().get(1).get(0).get(14).get(14).item_double())
          .isCloseTo(234 / 127.5 - 1, org.assertj.core.data.Offset.offset(1e-6));
      double sum =
          test.images().get(0).add(new org.bytedeco.pytorch.Scalar(1.0)).sum().item_double();
      assertThat(sum * 127.5).isCloseTo(33456, org.assertj.core.data.Offset.offset(0.05));
    }
  }

  @Test
  void trainFullReadsTheDebianLayout() throws IOException {
    byte[] pixels = new byte[3 * 28 * 28];
    pixels[0] = (byte) 255;
    Idx.write(
        tmp.resolve("train-images-idx3-ubyte.gz"),
        new Idx.ByteArray(new int[] {3, 28, 28}, pixels),
        Idx.Compression.GZIP);
    Idx.write(
        tmp.resolve("train-labels-idx1-ubyte.gz"),
        new Idx.ByteArray(new int[] {3}, new byte[] {4, 0, 9}),
        Idx.Compression.GZIP);
    try (LabeledImages full = FashionMnist.trainFull(tmp)) {
      assertThat(full.size()).isEqualTo(3);
      assertThat(full.label(2)).isEqualTo(9);
      assertThat(Tensors.toFloats(full.images())[0]).isEqualTo(1f);
      assertThat(Tensors.toFloats(full.images())[1]).isEqualTo(-1f);
    }
  }

  @Test
  void badLabelsOrShapesAreRejectedNamingTheSource() throws IOException {
    Idx.write(
        tmp.resolve("train-images-idx3-ubyte.gz"),
        new Idx.ByteArray(new int[] {1, 28, 28}, new byte[28 * 28]),
        Idx.Compression.GZIP);
    Idx.write(
        tmp.resolve("train-labels-idx1-ubyte.gz"),
        new Idx.ByteArray(new int[] {1}, new byte[] {10}),
        Idx.Compression.GZIP);
    assertThatThrownBy(() -> FashionMnist.trainFull(tmp))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("train-labels-idx1-ubyte.gz")
        .hasMessageContaining("must be in [0, 10) but label 0 was 10");
    assertThatThrownBy(() -> FashionMnist.trainFull(tmp.resolve("nowhere")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("nowhere");
  }

  @Test
  void sliceToolKeepsTheFirstItemsOfEachClassInFileOrder() {
    byte[] labels = {0, 1, 0, 2, 1, 0, 3, 4, 5, 6, 7, 8, 9, 3, 4, 5, 6, 7, 8, 9, 2, 1};
    byte[] images = new byte[labels.length * 2];
    for (int i = 0; i < labels.length; i++) {
      images[2 * i] = (byte) i;
      images[2 * i + 1] = labels[i];
    }
    Idx.ByteArray[] slice =
        FashionMnistSliceTool.slice(
            new Idx.ByteArray(new int[] {labels.length, 2}, images),
            new Idx.ByteArray(new int[] {labels.length}, labels),
            2);
    assertThat(slice[1].data())
        .containsExactly(0, 1, 0, 2, 1, 3, 4, 5, 6, 7, 8, 9, 3, 4, 5, 6, 7, 8, 9, 2);
    assertThat(slice[0].shape()).containsExactly(20, 2);
    assertThat(slice[0].data()[2 * 5]).isEqualTo((byte) 6); // the 6th kept item is file item 6
    assertThatThrownBy(
            () ->
                FashionMnistSliceTool.slice(
                    new Idx.ByteArray(new int[] {labels.length, 2}, images),
                    new Idx.ByteArray(new int[] {labels.length}, labels),
                    3))
        .hasMessageContaining("class 2 must have 3 items but had 2")
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bundledFilesEqualWhatTheSliceToolMakesFromTheDebianFiles() throws IOException {
    Path debian = FashionMnist.DEBIAN_DIR;
    assumeTrue(
        Files.isDirectory(debian),
        "the Debian package dataset-fashion-mnist is not installed ("
            + debian
            + "); the bundled files cannot be re-derived here");
    Idx.ByteArray[] slice =
        FashionMnistSliceTool.slice(
            Idx.read(debian.resolve("train-images-idx3-ubyte.gz")),
            Idx.read(debian.resolve("train-labels-idx1-ubyte.gz")),
            FashionMnist.TRAIN_SLICE_PER_CLASS);
    assertThat(bundled("train-slice-1000pc-images-idx3-ubyte.gz")).isEqualTo(slice[0]);
    assertThat(bundled("train-slice-1000pc-labels-idx1-ubyte.gz")).isEqualTo(slice[1]);
    for (String f : new String[] {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
      try (InputStream in = FashionMnist.class.getResourceAsStream("fashion-mnist/" + f)) {
        assertThat(Arrays.equals(in.readAllBytes(), Files.readAllBytes(debian.resolve(f))))
            .as("%s is a byte-identical copy of the Debian file", f)
            .isTrue();
      }
    }
  }

  @Test
  void licenceAndReadmeShipWithTheData() throws IOException {
    try (InputStream licence = FashionMnist.class.getResourceAsStream("fashion-mnist/LICENSE");
        InputStream readme = FashionMnist.class.getResourceAsStream("fashion-mnist/README.md")) {
      assertThat(new String(licence.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .contains("Zalando SE")
          .contains("Permission is hereby granted, free of charge");
      assertThat(readme).isNotNull();
    }
  }

  private static Idx.ByteArray bundled(String name) throws IOException {
    try (InputStream in = FashionMnist.class.getResourceAsStream("fashion-mnist/" + name)) {
      return Idx.read(in, name);
    }
  }
}
