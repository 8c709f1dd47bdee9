package dev.distill.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.data.LabeledImages;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
  @TempDir Path tmp;

  private static Tensor randomImages(Random r, int n, int c, int h, int w) {
    float[] v = new float[n * c * h * w];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return Tensors.fromFloats(v, n, c, h, w);
  }

  @Test
  void writtenFolderReadsBackWithinQuantisation() throws IOException {
    Path root = tmp.resolve("set");
    List<String> classes = List.of("apple", "banana", "cherry");
    List<Integer> labels = List.of(2, 0, 1, 2, 0, 1, 1);
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = randomImages(new Random(5), labels.size(), 3, 6, 5);
      List<String> files = ImageFolder.write(root, images, labels, classes);
      assertThat(files)
          .containsExactly(
              "cherry/00000.png",
              "apple/00001.png",
              "banana/00002.png",
              "cherry/00003.png",
              "apple/00004.png",
              "banana/00005.png",
              "banana/00006.png");
      try (LabeledImages back = ImageFolder.read(root)) {
        assertThat(back.classNames()).containsExactly("apple", "banana", "cherry");
        assertThat(back.size()).isEqualTo(7);
        // torchvision order: by class, then file name
        int[] order = {1, 4, 2, 5, 6, 0, 3};
        for (int i = 0; i < order.length; i++) {
          assertThat(back.label(i)).isEqualTo(labels.get(order[i]));
        }
        Tensor expected = images.index_select(0, Tensors.fromInts(order));
        assertThat(Tensors.maxAbsDiff(expected, back.images())).isLessThanOrEqualTo(2.0 / 255);
      }
    }
  }

  @Test
  void readingFollowsTorchvisionImageFolderSemantics() throws IOException {
    Path root = tmp.resolve("tv");
    try (TensorScope scope = TensorScope.open()) {
      Tensor px = Tensors.fromFloats(new float[] {0f}, 1, 1, 1);
      Images.writePng(root.resolve("zebra/b.png"), px);
      Images.writePng(root.resolve("zebra/a.png"), px);
      Images.writePng(root.resolve("zebra/sub/0.png"), px);
      Files.write(root.resolve("zebra/UPPER.PNG"), Images.encodePng(px));
      Files.writeString(root.resolve("zebra/notes.txt"), "not an image");
      Images.writePng(root.resolve("ant/x.png"), px);
      Images.writePng(root.resolve("root-level.png"), px);
    }
    ImageFolder.Listing listing = ImageFolder.list(root);
    assertThat(listing.classNames()).containsExactly("ant", "zebra");
    assertThat(listing.samples())
        .extracting(s -> root.relativize(s.file()).toString().replace('\\', '/'), s -> s.label())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ant/x.png", 0),
            org.assertj.core.groups.Tuple.tuple("zebra/UPPER.PNG", 1),
            org.assertj.core.groups.Tuple.tuple("zebra/a.png", 1),
            org.assertj.core.groups.Tuple.tuple("zebra/b.png", 1),
            org.assertj.core.groups.Tuple.tuple("zebra/sub/0.png", 1));
  }

  @Test
  void emptyClassFolderOrMissingRootIsAnError() throws IOException {
    assertThatThrownBy(() -> ImageFolder.list(tmp.resolve("nope")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("nope");
    Path root = tmp.resolve("empty-class");
    Files.createDirectories(root.resolve("a"));
    assertThatThrownBy(() -> ImageFolder.list(root))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("has no image file");
    Path noClasses = Files.createDirectories(tmp.resolve("no-classes"));
    assertThatThrownBy(() -> ImageFolder.list(noClasses))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no class folders");
  }

  @Test
  void mixedChannelsNeedAColorModeAndMixedSizesAreRejected() throws IOException {
    Path root = tmp.resolve("mixed");
    try (TensorScope scope = TensorScope.open()) {
      Images.writePng(root.resolve("a/gray.png"), Tensors.fromFloats(new float[] {0f}, 1, 1, 1));
      Images.writePng(root.resolve("b/rgb.png"), Tensors.fromFloats(new float[3], 3, 1, 1));
    }
    assertThatThrownBy(() -> ImageFolder.read(root))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("rgb.png")
        .hasMessageContaining("ColorMode");
    try (LabeledImages rgb = ImageFolder.read(root, Images.ColorMode.RGB)) {
      assertThat(rgb.imageShape()).containsExactly(3, 1, 1);
    }
    try (TensorScope scope = TensorScope.open()) {
      Images.writePng(root.resolve("b/big.png"), Tensors.fromFloats(new float[4], 1, 2, 2));
    }
    assertThatThrownBy(() -> ImageFolder.read(root, Images.ColorMode.GRAY))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("big.png");
  }

  @Test
  void folderNamesAreSanitisedAndDistinct() {
    assertThat(
            ImageFolder.folderNames(
                List.of(
                    "T-shirt/top", "Ankle boot", "../etc", "", "a_b", "a/b", "  .hidden ", "Été")))
        .containsExactly(
            "T-shirt_top", "Ankle boot", "_etc", "class_3", "a_b", "a_b_5", "hidden", "Été");
  }

  @Test
  void labelsOutOfRangeAreRejected() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = Tensors.fromFloats(new float[2], 2, 1, 1, 1);
      assertThatThrownBy(() -> ImageFolder.write(tmp, images, List.of(0, 3), List.of("a", "b")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("labels must be in [0, 2) but label 1 was 3");
    }
  }
}
