package dev.distill.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.ImageSize;
import dev.distill.core.io.Images;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {
  @TempDir Path tmp;

  private static void png(Path file, long seed, int c, int h, int w) throws Exception {
    Files.createDirectories(file.getParent());
    try (TensorScope s = TensorScope.open()) {
      Images.writePng(file, Rng.normal(seed, c, h, w).tanh());
    }
  }

  private static void jpeg(Path file, long seed, int h, int w) throws Exception {
    Files.createDirectories(file.getParent());
    try (TensorScope s = TensorScope.open()) {
      BytePointer buf = new BytePointer();
      opencv_imgcodecs.imencode(".jpg", Images.toMat(Rng.normal(seed, 3, h, w).tanh()), buf);
      byte[] b = new byte[(int) buf.limit()];
      buf.get(b);
      buf.close();
      Files.write(file, b);
    }
  }

  @Test
  void listsNestedFoldersLikeTorchvisionAndDecodesOnlyWhatIsAsked() throws Exception {
    png(tmp.resolve("b/x/2.png"), 1, 3, 10, 12);
    png(tmp.resolve("b/1.png"), 2, 3, 10, 12);
    jpeg(tmp.resolve("a/0.jpg"), 3, 10, 12);
    png(tmp.resolve("a/gray.png"), 4, 1, 10, 12);
    Files.writeString(tmp.resolve("a/notes.txt"), "ignored");
    ImageFolderDataset d = ImageFolderDataset.of(tmp);
    assertThat(d.classIndex().folders()).containsExactly("a", "b");
    assertThat(d.classSize(0)).isEqualTo(2);
    assertThat(d.classSize(1)).isEqualTo(2);
    assertThat(d.files(1).get(0).toString()).endsWith("b/1.png"); // folder path, then file name
    assertThat(d.channels()).isEqualTo(3);
    assertThat(d.imageSize()).isEqualTo(ImageSize.of(10, 12));
    try (TensorScope s = TensorScope.open()) {
      Tensor gray = d.load(0, new int[] {1});
      assertThat(Tensors.shape(gray)).containsExactly(1, 3, 10, 12); // gray replicated to RGB
      assertThat(Tensors.maxAbsDiff(gray.narrow(1, 0, 1), gray.narrow(1, 2, 1))).isZero();
      int batches = 0;
      for (Tensor t : d.batches(1, 1)) {
        assertThat(Tensors.shape(t)).containsExactly(1, 3, 10, 12);
        batches++;
      }
      assertThat(batches).isEqualTo(2);
    }
  }

  @Test
  void imagesOfOtherSizesAreResizedWhenASizeIsSetAndNamedWhenNot() throws Exception {
    png(tmp.resolve("a/0.png"), 1, 3, 10, 12);
    png(tmp.resolve("a/1.png"), 2, 3, 30, 20);
    ImageFolderDataset resized =
        ImageFolderDataset.builder(tmp).imageSize(ImageSize.square(8)).build();
    try (TensorScope s = TensorScope.open()) {
      assertThat(Tensors.shape(resized.load(0, 0, 2))).containsExactly(2, 3, 8, 8);
    }
    ImageFolderDataset strict = ImageFolderDataset.of(tmp);
    assertThatThrownBy(() -> strict.load(0, 0, 2))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("1.png is 30x20 but the dataset's images are 10x12")
        .hasMessageContaining("imageSize");
  }

  @Test
  void aTruncatedJpegIsReportedByPathNotDecodedAsGrey() throws Exception {
    jpeg(tmp.resolve("a/0.jpg"), 1, 16, 16);
    jpeg(tmp.resolve("a/1.jpg"), 2, 16, 16);
    Path cut = tmp.resolve("a/1.jpg");
    byte[] b = Files.readAllBytes(cut);
    Files.write(cut, java.util.Arrays.copyOf(b, b.length - 200));
    ImageFolderDataset d = ImageFolderDataset.of(tmp);
    assertThatThrownBy(() -> d.load(0, 0, 2))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(cut.toString())
        .hasMessageContaining("truncated");
  }

  @Test
  void positionsOutOfRangeAreNamed() throws Exception {
    png(tmp.resolve("a/0.png"), 1, 3, 4, 4);
    ImageFolderDataset d = ImageFolderDataset.of(tmp);
    assertThatThrownBy(() -> d.load(0, new int[] {1}))
        .hasMessageContaining("positions must be in [0, 1) for class 0 but contained 1");
    assertThatThrownBy(() -> d.classSize(1)).hasMessageContaining("classId must be in [0, 1)");
  }
}
