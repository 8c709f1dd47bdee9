package dev.distill.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.tensor.SeededCases;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CocoJsonTest {
  @TempDir Path tmp;

  static Stream<Long> seeds() {
    return SeededCases.seeds(50);
  }

  private static List<String> names(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("c/" + i + ".png");
    }
    return out;
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void writtenAnnotationsReadBackEqual(long seed) throws IOException {
    Random r = new Random(seed);
    int n = 1 + r.nextInt(5);
    AnnotationSet set = RandomAnnotations.of(r, n, 3 + r.nextInt(10), 3 + r.nextInt(10));
    Path dir = tmp.resolve("s" + seed);
    Path file = dir.resolve(CocoJson.INSTANCES);
    String sha = CocoJson.write(file, dir, names(n), set);
    CocoJson.Content read =
        CocoJson.read(file, dir, CocoJson.ReadOptions.defaults().withSha256(sha));
    assertThat(read.annotations()).isEqualTo(set);
    assertThat(read.images()).extracting(CocoJson.Image::fileName).isEqualTo(names(n));
    assertThat(read.images()).extracting(CocoJson.Image::id).first().isEqualTo(1L);
  }

  @Test
  void writesCocoFieldsBboxAreaIscrowdAndCategories() throws IOException {
    Mask instance = Mask.of(4, 2, new int[] {0, 1, 1, 0, 0, 1, 0, 0});
    AnnotationSet set =
        AnnotationSet.of(
            List.of(Category.of(5, "shoe"), Category.of(2, "bag")),
            List.of(
                ImageAnnotations.of(
                    4,
                    2,
                    List.of(
                        ObjectAnnotation.of(5, BoundingBox.of(1, 0, 2.5, 2)),
                        ObjectAnnotation.of(2, BoundingBox.of(1, 0, 2, 2), instance)))));
    Path file = tmp.resolve(CocoJson.INSTANCES);
    CocoJson.write(file, tmp, List.of("a/0.png"), set);
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    assertThat(root.get("images").get(0).toString())
        .isEqualTo("{\"id\":1,\"file_name\":\"a/0.png\",\"width\":4,\"height\":2}");
    JsonNode a0 = root.get("annotations").get(0);
    assertThat(a0.get("bbox").toString()).isEqualTo("[1.0,0.0,2.5,2.0]");
    assertThat(a0.get("area").asDouble()).isEqualTo(5.0);
    assertThat(a0.get("iscrowd").asInt()).isZero();
    assertThat(a0.get("category_id").asInt()).isEqualTo(5);
    JsonNode a1 = root.get("annotations").get(1);
    assertThat(a1.get("id").asInt()).isEqualTo(2);
    assertThat(a1.get("area").asDouble()).isEqualTo(3.0); // mask pixels, not w * h
    assertThat(a1.get("mask_file").asText()).isEqualTo("masks/instances/2.png");
    assertThat(Images.readMask(tmp.resolve("masks/instances/2.png")).toArray())
        .containsExactly(0, 255, 255, 0, 0, 255, 0, 0);
    assertThat(root.get("categories").toString())
        .isEqualTo("[{\"id\":5,\"name\":\"shoe\"},{\"id\":2,\"name\":\"bag\"}]");
  }

  /** A valid two-image file whose parts a test replaces. */
  private Path cocoFile(String images, String annotations, String categories) throws IOException {
    Path file = tmp.resolve("instances.json");
    Files.writeString(
        file,
        "{\"images\": ["
            + images
            + "], \"annotations\": ["
            + annotations
            + "], \"categories\": ["
            + categories
            + "]}",
        StandardCharsets.UTF_8);
    return file;
  }

  private static final String IMAGES =
      "{\"id\": 10, \"file_name\": \"a.png\", \"width\": 20, \"height\": 10},"
          + " {\"id\": 11, \"file_name\": \"b.png\", \"width\": 8, \"height\": 8}";
  private static final String CATEGORIES =
      "{\"id\": 1, \"name\": \"cat\"}, {\"id\": 3, \"name\": \"dog\"}";

  private static String annotation(long id, long image, int category, String bbox) {
    return "{\"id\": "
        + id
        + ", \"image_id\": "
        + image
        + ", \"category_id\": "
        + category
        + ", \"bbox\": "
        + bbox
        + ", \"area\": 1, \"iscrowd\": 0}";
  }

  @Test
  void readsImagesInFileOrderWithTheirObjects() throws IOException {
    Path file =
        cocoFile(
            IMAGES,
            annotation(900100000001L, 11, 3, "[0, 0, 8, 8]")
                + ","
                + annotation(7, 10, 1, "[19.5, 0, 0.75, 10]"),
            CATEGORIES);
    CocoJson.Content c = CocoJson.read(file, tmp);
    assertThat(c.images())
        .containsExactly(
            new CocoJson.Image(10, "a.png", 20, 10), new CocoJson.Image(11, "b.png", 8, 8));
    assertThat(c.annotations().images().get(0).objects())
        .containsExactly(ObjectAnnotation.of(1, BoundingBox.of(19.5, 0, 0.75, 10)));
    assertThat(c.annotations().images().get(1).objects())
        .containsExactly(ObjectAnnotation.of(3, BoundingBox.of(0, 0, 8, 8)));
    assertThat(c.annotations().categories())
        .containsExactly(Category.of(1, "cat"), Category.of(3, "dog"));
  }

  private void assertRejected(Path file, String... parts) {
    assertThatThrownBy(() -> CocoJson.read(file, tmp))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContainingAll(parts);
  }

  @Test
  void boxesOutsideTheImageNameTheAnnotationAndTheBox() throws IOException {
    assertRejected(
        cocoFile(IMAGES, annotation(42, 10, 1, "[15, 2, 6, 3]"), CATEGORIES),
        "annotation 42 has the bbox [15,2,6,3] outside its 20x10 image 10 (a.png)");
    assertRejected(
        cocoFile(IMAGES, annotation(43, 11, 1, "[-1, 2, 6, 3]"), CATEGORIES),
        "annotation 43 has the bbox [-1,2,6,3] outside its 8x8 image 11 (b.png)");
  }

  @Test
  void nonPositiveSizesAreRejected() throws IOException {
    assertRejected(
        cocoFile(IMAGES, annotation(5, 10, 1, "[1, 2, 0, 3]"), CATEGORIES),
        "annotation 5 has a bbox of non-positive size [1,2,0,3]");
    assertRejected(
        cocoFile(IMAGES, annotation(6, 10, 1, "[1, 2, 3, -1]"), CATEGORIES),
        "annotation 6 has a bbox of non-positive size [1,2,3,-1]");
    assertRejected(
        cocoFile(IMAGES, annotation(6, 10, 1, "[1, 2, 3]"), CATEGORIES),
        "annotation 6 must have a bbox [x, y, width, height] but had [1,2,3]");
    assertRejected(
        cocoFile(
            "{\"id\": 10, \"file_name\": \"a.png\", \"width\": 0, \"height\": 10}", "", CATEGORIES),
        "image 10 (a.png) must have width and height in [1, 65536] but was 0x10");
  }

  @Test
  void unknownCategoriesAndImagesAreRejected() throws IOException {
    assertRejected(
        cocoFile(IMAGES, annotation(8, 10, 2, "[1, 1, 1, 1]"), CATEGORIES),
        "annotation 8 has category_id 2, which is not a category (ids [1, 3])");
    assertRejected(
        cocoFile(IMAGES, annotation(9, 12, 1, "[1, 1, 1, 1]"), CATEGORIES),
        "annotation 9 refers to image_id 12, which is not in images");
    assertRejected(
        cocoFile(IMAGES, "", "{\"id\": 0, \"name\": \"background\"}"),
        "categories[0] has id 0 but category ids must be in [1, 254]");
  }

  @Test
  void duplicateIdsAndFileNamesAreRejected() throws IOException {
    assertRejected(
        cocoFile(
            IMAGES,
            annotation(8, 10, 1, "[1, 1, 1, 1]") + "," + annotation(8, 11, 1, "[1, 1, 1, 1]"),
            CATEGORIES),
        "annotation id 8 appears twice");
    assertRejected(
        cocoFile(IMAGES + "," + IMAGES.substring(0, IMAGES.indexOf('}') + 1), "", CATEGORIES),
        "image id 10 appears twice");
    assertRejected(
        cocoFile(
            IMAGES + ", {\"id\": 12, \"file_name\": \"a.png\", \"width\": 8, \"height\": 8}",
            "",
            CATEGORIES),
        "file_name a.png appears twice (image 12)");
    assertRejected(
        cocoFile(IMAGES, "", CATEGORIES + ", {\"id\": 3, \"name\": \"cow\"}"),
        "category id 3 appears twice");
  }

  @Test
  void crowdAnnotationsAreRefusedUnlessSkipped() throws IOException {
    Path file =
        cocoFile(
            IMAGES,
            annotation(8, 10, 1, "[1, 1, 1, 1]").replace("\"iscrowd\": 0", "\"iscrowd\": 1")
                + ","
                + annotation(9, 10, 3, "[1, 1, 2, 2]"),
            CATEGORIES);
    assertRejected(file, "annotation 8 has iscrowd 1", "withSkipCrowd(true)");
    CocoJson.Content c =
        CocoJson.read(file, tmp, CocoJson.ReadOptions.defaults().withSkipCrowd(true));
    assertThat(c.annotations().images().get(0).objects())
        .containsExactly(ObjectAnnotation.of(3, BoundingBox.of(1, 1, 2, 2)));
  }

  @Test
  void malformedJsonPathsAndDuplicateKeysAreNamedErrors() throws IOException {
    Path file = tmp.resolve("instances.json");
    Files.writeString(file, "{\"images\": [");
    assertThatThrownBy(() -> CocoJson.read(file, tmp))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("COCO file " + file + " is not valid JSON");
    Files.writeString(
        file, "{\"images\": [], \"images\": [], \"annotations\": [], \"categories\": []}");
    assertThatThrownBy(() -> CocoJson.read(file, tmp))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Duplicate field 'images'");
    assertRejected(
        cocoFile(
            "{\"id\": 10, \"file_name\": \"../a.png\", \"width\": 8, \"height\": 8}",
            "",
            CATEGORIES),
        "image 10 file_name must be a relative path inside the dataset but was '../a.png'");
    assertRejected(
        cocoFile("{\"id\": \"10\", \"file_name\": \"a.png\"}", "", CATEGORIES),
        "images[0] must have an integer \"id\" but had \"10\"");
    assertThatThrownBy(() -> CocoJson.read(tmp.resolve("none.json"), tmp))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("none.json");
  }

  @Test
  void aChecksumMismatchIsRefused() throws IOException {
    Path file = cocoFile(IMAGES, "", CATEGORIES);
    assertThatThrownBy(
            () ->
                CocoJson.read(
                    file, tmp, CocoJson.ReadOptions.defaults().withSha256("0".repeat(64))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("COCO file " + file + " has SHA-256 ")
        .hasMessageContaining("the file is corrupted or was edited");
  }

  @Test
  void instanceMasksMustHaveTheImageSizeAndBinaryValues() throws IOException {
    Images.writeMaskPng(tmp.resolve("m/ok.png"), Mask.of(8, 8, new int[64]));
    Images.writeMaskPng(tmp.resolve("m/small.png"), Mask.of(4, 8, new int[32]));
    int[] three = new int[64];
    three[5] = 3;
    Images.writeMaskPng(tmp.resolve("m/three.png"), Mask.of(8, 8, three));
    String a = annotation(4, 11, 1, "[1, 1, 1, 1]");
    CocoJson.Content ok =
        CocoJson.read(
            cocoFile(IMAGES, a.replace("}", ", \"mask_file\": \"m/ok.png\"}"), CATEGORIES), tmp);
    assertThat(ok.annotations().images().get(1).objects().get(0).instanceMask()).isPresent();
    assertRejected(
        cocoFile(IMAGES, a.replace("}", ", \"mask_file\": \"m/small.png\"}"), CATEGORIES),
        "annotation 4 has the mask",
        "of 4x8 for a 8x8 image");
    assertRejected(
        cocoFile(IMAGES, a.replace("}", ", \"mask_file\": \"m/three.png\"}"), CATEGORIES),
        "annotation 4 has the instance mask m/three.png whose pixel 5 is 3");
    assertThatThrownBy(
            () ->
                CocoJson.read(
                    cocoFile(
                        IMAGES, a.replace("}", ", \"mask_file\": \"m/none.png\"}"), CATEGORIES),
                    tmp))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("annotation 4 names a mask that cannot be read")
        .hasMessageContaining("none.png");
  }
}
