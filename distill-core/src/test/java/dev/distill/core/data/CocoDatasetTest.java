package dev.distill.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.ImageSize;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.io.CocoJson;
import dev.distill.core.io.Images;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.SeededCases;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CocoDatasetTest {
  @TempDir Path tmp;

  private static final List<Category> CATEGORIES =
      List.of(Category.of(7, "shoe"), Category.of(2, "bag"));

  /** Three 8x6 (width x height) images: two objects, one object, none. */
  private static AnnotationSet threeImages() {
    return AnnotationSet.of(
        CATEGORIES,
        List.of(
            ImageAnnotations.of(
                8,
                6,
                List.of(
                    ObjectAnnotation.of(7, BoundingBox.of(0, 0, 2, 2)),
                    ObjectAnnotation.of(2, BoundingBox.of(1, 1, 4, 4)))),
            ImageAnnotations.of(8, 6, List.of(ObjectAnnotation.of(7, BoundingBox.of(2, 1, 6, 5)))),
            ImageAnnotations.of(8, 6, List.of())));
  }

  private Path write(AnnotationSet set, List<long[]> actualSizes) throws IOException {
    List<String> names = new ArrayList<>();
    try (TensorScope scope = TensorScope.open()) {
      for (int i = 0; i < set.size(); i++) {
        String name = "img/" + i + ".png";
        names.add(name);
        long[] hw = actualSizes.get(i);
        Images.writePng(tmp.resolve(name), Rng.normal(i, 3, hw[0], hw[1]).tanh());
      }
    }
    Path file = tmp.resolve("annotations/instances.json");
    CocoJson.write(file, file.getParent(), names, set);
    return file;
  }

  private static List<long[]> sizes(int n, long h, long w) {
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new long[] {h, w});
    }
    return out;
  }

  @Test
  void classesAreCategoriesByIdAndImagesBelongToTheirLargestObjectsCategory() throws IOException {
    Path file = write(threeImages(), sizes(3, 6, 8));
    CocoDataset d = CocoDataset.of(file, tmp);
    assertThat(d.classNames()).containsExactly("bag", "shoe");
    assertThat(d.classIndex().folders()).containsExactly("2", "7");
    assertThat(d.categoryId(0)).isEqualTo(2);
    assertThat(d.classId(7)).isEqualTo(1);
    assertThat(d.imageCount()).isEqualTo(3);
    assertThat(d.size()).isEqualTo(2); // the third image has no object
    assertThat(d.classSize(0)).isEqualTo(1);
    assertThat(d.imageIndex(0, 0)).isEqualTo(0); // the bag (16 px²) outweighs the shoe (4 px²)
    assertThat(d.imageIndex(1, 0)).isEqualTo(1);
    assertThat(d.imageSize()).isEqualTo(ImageSize.of(6, 8));
    assertThat(d.channels()).isEqualTo(3);
    assertThat(d.annotationSet()).isEqualTo(threeImages());
    assertThat(d.annotations(1)).isEqualTo(threeImages().images().get(1));
    try (TensorScope scope = TensorScope.open()) {
      Tensor bag = d.load(0, new int[] {0});
      assertThat(Tensors.shape(bag)).containsExactly(1, 3, 6, 8);
      Tensor direct = d.loadImages(new int[] {0});
      assertThat(bag.equal(direct)).isTrue();
      assertThat(Tensors.shape(d.loadImages(new int[] {2, 1, 0}))).containsExactly(3, 3, 6, 8);
      assertThat(Tensors.shape(d.loadImages(new int[0]))).containsExactly(0, 3, 6, 8);
    }
    assertThatThrownBy(() -> d.classId(3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("categoryId must be one of [2, 7] but was 3");
    assertThat(d.id()).isEqualTo("coco:" + file);
  }

  @Test
  void aMissingImageFileIsNamedWithItsImageId() throws IOException {
    Path file = write(threeImages(), sizes(3, 6, 8));
    Files.delete(tmp.resolve("img/1.png"));
    assertThatThrownBy(() -> CocoDataset.of(file, tmp))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(tmp.resolve("img/1.png").toString())
        .hasMessageContaining("image 2 in " + file);
  }

  @Test
  void anImageOfAnotherSizeThanDeclaredIsNamedWhenDecoded() throws IOException {
    List<long[]> sizes = sizes(3, 6, 8);
    sizes.set(1, new long[] {6, 9});
    Path file = write(threeImages(), sizes);
    CocoDataset d = CocoDataset.of(file, tmp);
    try (TensorScope scope = TensorScope.open()) {
      assertThatThrownBy(() -> d.loadImages(new int[] {1}))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("img/1.png is 9x6 (width x height) but")
          .hasMessageContaining("declares 8x6 for image 2");
    }
  }

  @Test
  void imagesOfDifferentSizesNeedAnImageSizeThenScaleWithTheirAnnotations() throws IOException {
    Mask semantic = Mask.of(4, 2, new int[] {0, 0, 3, 3, 255, 0, 3, 3});
    AnnotationSet set =
        AnnotationSet.of(
            List.of(Category.of(3, "a")),
            List.of(
                ImageAnnotations.of(
                    8, 4, List.of(ObjectAnnotation.of(3, BoundingBox.of(2, 1, 4, 2)))),
                ImageAnnotations.of(
                    List.of(ObjectAnnotation.of(3, BoundingBox.of(2, 0, 2.25, 2))), semantic)));
    Path file = write(set, List.of(new long[] {4, 8}, new long[] {2, 4}));
    assertThatThrownBy(() -> CocoDataset.of(file, tmp))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "image 2 (img/1.png) is 4x2 (width x height) but the first image is 8x4; set"
                + " CocoDataset.builder(...).imageSize(...)");
    CocoDataset d = CocoDataset.builder(file, tmp).imageSize(ImageSize.of(4, 8)).build();
    assertThat(d.annotations(0)).isEqualTo(set.images().get(0));
    ImageAnnotations scaled = d.annotations(1);
    // 2.25 reaches 0.25 px past the edge (tolerated): clipped to the edge, then doubled
    assertThat(scaled.objects().get(0).box()).isEqualTo(BoundingBox.of(4, 0, 4, 4));
    assertThat(scaled.semanticMask().orElseThrow().toArray())
        .containsExactly(
            0, 0, 0, 0, 3, 3, 3, 3, //
            0, 0, 0, 0, 3, 3, 3, 3, //
            255, 255, 0, 0, 3, 3, 3, 3, //
            255, 255, 0, 0, 3, 3, 3, 3);
    try (TensorScope scope = TensorScope.open()) {
      assertThat(Tensors.shape(d.loadImages(new int[] {0, 1}))).containsExactly(2, 3, 4, 8);
    }
  }

  @Test
  void aChecksumGuardsTheAnnotationFile() throws IOException {
    Path file = write(threeImages(), sizes(3, 6, 8));
    assertThatThrownBy(() -> CocoDataset.builder(file, tmp).sha256("abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sha256 must be 64 lower-case hex digits but was abc");
    assertThatThrownBy(() -> CocoDataset.builder(file, tmp).sha256("0".repeat(64)).build())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("COCO file " + file + " has SHA-256");
  }

  static Stream<Long> seeds() {
    return SeededCases.seeds(50);
  }

  /**
   * A corrupted {@code instances.json} (byte flips and truncations, as {@code CorruptInputsTest})
   * ends in an exception naming a file of the dataset, or reads the same images and the same number
   * of objects, every one of which loads.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void aCorruptedAnnotationFileFailsNamingAFileOrKeepsTheDatasetsShape(long seed)
      throws IOException {
    Random r = new Random(seed);
    Path file = write(threeImages(), sizes(3, 6, 8));
    byte[] good = Files.readAllBytes(file);
    byte[] bad = good.clone();
    String what;
    if (r.nextInt(4) == 0) {
      int length = r.nextInt(good.length);
      bad = Arrays.copyOf(good, length);
      what = "truncated to " + length;
    } else {
      List<Integer> at = new ArrayList<>();
      for (int i = 1 + r.nextInt(3); i > 0; i--) {
        int pos = r.nextInt(good.length);
        bad[pos] ^= (byte) (1 + r.nextInt(255));
        at.add(pos);
      }
      what = "flipped at " + at;
    }
    Files.write(file, bad);
    CocoDataset d;
    try {
      d = CocoDataset.of(file, tmp);
      try (TensorScope scope = TensorScope.open()) {
        d.loadImages(new int[] {0, 1, 2});
      }
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      assertThat(e.getMessage()).as(what + ": " + e).contains(tmp.toString());
      return;
    }
    assertThat(d.imageCount()).as(what).isEqualTo(3);
    int objects = 0;
    for (int i = 0; i < 3; i++) {
      objects += d.annotations(i).objects().size();
    }
    assertThat(objects).as(what).isEqualTo(3);
  }
}
