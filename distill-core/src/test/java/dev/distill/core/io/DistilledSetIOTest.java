package dev.distill.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.api.DistilledSet;
import dev.distill.api.RunProvenance;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistilledSetIOTest {
  private static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Ankle boot");
  private static final RunProvenance PROVENANCE =
      new RunProvenance(
          "d4m",
          Map.of("ipc", "2", "strength", "0.7", "prompt", "a photo of a {}"),
          1234L,
          "sdxl-tiny@sha256:abc",
          "0.1.0-SNAPSHOT",
          Instant.parse("2025-01-02T03:04:05.123456789Z"));

  @TempDir Path tmp;

  /** A set owning fresh tensors: 7 images [C, 6, 5], labels, optional softmax soft labels. */
  private static DistilledSet randomSet(long seed, int channels, boolean soft) {
    Random r = new Random(seed);
    List<Integer> labels = List.of(0, 2, 1, 1, 0, 2, 2);
    float[] px = new float[labels.size() * channels * 6 * 5];
    for (int i = 0; i < px.length; i++) {
      px[i] = r.nextFloat() * 2 - 1;
    }
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = scope.detach(Tensors.fromFloats(px, labels.size(), channels, 6, 5));
      Tensor softLabels = null;
      if (soft) {
        float[] logits = new float[labels.size() * CLASSES.size()];
        for (int i = 0; i < logits.length; i++) {
          logits[i] = (float) r.nextGaussian();
        }
        softLabels =
            scope.detach(
                torch.softmax(Tensors.fromFloats(logits, labels.size(), CLASSES.size()), 1));
      }
      return new DistilledSet(images, labels, softLabels, CLASSES, PROVENANCE);
    }
  }

  @Test
  void savedSetLoadsBackWithLabelsProvenanceAndImagesWithinQuantisation() throws IOException {
    Path dir = tmp.resolve("set");
    try (DistilledSet set = randomSet(1, 3, true)) {
      DistilledSetIO.save(set, dir);
      try (DistilledSet back = DistilledSetIO.load(dir)) {
        assertThat(back.labels()).isEqualTo(set.labels());
        assertThat(back.classNames()).isEqualTo(CLASSES);
        assertThat(back.provenance()).isEqualTo(PROVENANCE);
        assertThat(Tensors.shape(back.images())).containsExactly(7, 3, 6, 5);
        assertThat(Tensors.maxAbsDiff(set.images(), back.images()))
            .isLessThanOrEqualTo(1.0 / 255 + 1e-6);
        assertThat(back.softLabels()).isPresent();
        assertThat(Tensors.maxAbsDiff(set.softLabels().get(), back.softLabels().get())).isZero();
      }
    }
  }

  @Test
  void graySetWithoutSoftLabelsRoundTrips() throws IOException {
    Path dir = tmp.resolve("gray");
    try (DistilledSet set = randomSet(2, 1, false)) {
      DistilledSetIO.save(set, dir);
      assertThat(dir.resolve(DistilledSetIO.SOFT_LABELS)).doesNotExist();
      try (DistilledSet back = DistilledSetIO.load(dir)) {
        assertThat(back.softLabels()).isEmpty();
        assertThat(Tensors.shape(back.images())).containsExactly(7, 1, 6, 5);
        assertThat(Tensors.maxAbsDiff(set.images(), back.images()))
            .isLessThanOrEqualTo(1.0 / 255 + 1e-6);
      }
    }
  }

  @Test
  void manifestHoldsProvenanceClassesAndTheFileList() throws IOException {
    Path dir = tmp.resolve("manifest");
    try (DistilledSet set = randomSet(3, 3, true)) {
      DistilledSetIO.save(set, dir);
    }
    JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    assertThat(m.get("format").asText()).isEqualTo("distill-set");
    assertThat(m.get("method").asText()).isEqualTo("d4m");
    assertThat(m.get("config").get("strength").asText()).isEqualTo("0.7");
    assertThat(m.get("seed").asLong()).isEqualTo(1234L);
    assertThat(m.get("model_id").asText()).isEqualTo("sdxl-tiny@sha256:abc");
    assertThat(m.get("library_version").asText()).isEqualTo("0.1.0-SNAPSHOT");
    assertThat(m.get("created_at").asText()).isEqualTo("2025-01-02T03:04:05.123456789Z");
    assertThat(m.get("class_names").get(0).asText()).isEqualTo("T-shirt/top");
    assertThat(m.get("class_folders").get(0).asText()).isEqualTo("T-shirt_top");
    assertThat(m.get("soft_labels").asText()).isEqualTo("soft_labels.safetensors");
    assertThat(m.get("files")).hasSize(7);
    assertThat(m.get("files").get(1).get("file").asText()).isEqualTo("Ankle boot/00001.png");
    assertThat(m.get("files").get(1).get("label").asInt()).isEqualTo(2);
    for (JsonNode f : m.get("files")) {
      assertThat(dir.resolve(f.get("file").asText())).isRegularFile();
    }
  }

  @Test
  void savedFolderIsATorchvisionImageFolder() throws IOException {
    Path dir = tmp.resolve("tv");
    try (DistilledSet set = randomSet(4, 3, true)) {
      DistilledSetIO.save(set, dir);
    }
    try (LabeledImages asFolder = ImageFolder.read(dir)) {
      // torchvision sorts folder names; manifest.json and soft_labels.safetensors are ignored
      assertThat(asFolder.classNames()).containsExactly("Ankle boot", "T-shirt_top", "Trouser");
      assertThat(asFolder.size()).isEqualTo(7);
    }
  }

  @Test
  void existingFolderIsNeverOverwritten() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("exists"));
    Files.writeString(dir.resolve("keep.txt"), "mine");
    try (DistilledSet set = randomSet(5, 1, false)) {
      assertThatThrownBy(() -> DistilledSetIO.save(set, dir))
          .isInstanceOf(FileAlreadyExistsException.class);
    }
    assertThat(dir.resolve("keep.txt")).hasContent("mine");
  }

  @Test
  void failedSaveLeavesNeitherTheSetNorATemporaryFolder() throws IOException {
    Path dir = tmp.resolve("crash");
    try (DistilledSet good = randomSet(6, 3, false);
        TensorScope scope = TensorScope.open()) {
      // image 4 is NaN: the save fails after writing four images
      Tensor images = good.images().clone();
      images.select(0, 4).fill_(new org.bytedeco.pytorch.Scalar(Double.NaN));
      DistilledSet bad =
          new DistilledSet(scope.detach(images), good.labels(), null, CLASSES, PROVENANCE);
      try (bad) {
        assertThatThrownBy(() -> DistilledSetIO.save(bad, dir))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("finite");
      }
    }
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void malformedManifestsAreRejectedNamingTheProblem() throws IOException {
    Path dir = tmp.resolve("bad");
    try (DistilledSet set = randomSet(7, 1, false)) {
      DistilledSetIO.save(set, dir);
    }
    Path manifest = dir.resolve("manifest.json");
    String good = Files.readString(manifest);

    Files.writeString(manifest, good.replace("\"Trouser/00002.png\"", "\"../escape.png\""));
    assertThatThrownBy(() -> DistilledSetIO.load(dir)).hasMessageContaining("outside the set");

    Files.writeString(manifest, good.replace("\"distill-set\"", "\"other\""));
    assertThatThrownBy(() -> DistilledSetIO.load(dir)).hasMessageContaining("format");

    Files.writeString(manifest, good.replace("\"Trouser/00002.png\"", "\"Trouser/missing.png\""));
    assertThatThrownBy(() -> DistilledSetIO.load(dir)).hasMessageContaining("missing.png");

    Files.writeString(manifest, "{ not json");
    assertThatThrownBy(() -> DistilledSetIO.load(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("manifest.json");

    Files.delete(manifest);
    assertThatThrownBy(() -> DistilledSetIO.load(dir)).hasMessageContaining("manifest.json");
  }

  @Test
  void gridHasTheCellsRowByRowOnABlackBorder() throws IOException {
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = Tensors.fromFloats(new float[] {1f, 0f, 0.5f}, 3, 1, 1, 1);
      Tensor grid = Grids.grid(images, 2, 2, 1);
      assertThat(Tensors.shape(grid)).containsExactly(1, 5, 5);
      assertThat(Tensors.toFloats(grid))
          .containsExactly(
              -1, -1, -1, -1, -1, //
              -1, 1, -1, 0, -1, //
              -1, -1, -1, -1, -1, //
              -1, 0.5f, -1, -1, -1, //
              -1, -1, -1, -1, -1);
      assertThatThrownBy(() -> Grids.grid(images, 1, 2, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rows x cols must hold the 3 images but was 1 x 2");
      Path png = tmp.resolve("grid.png");
      Grids.write(png, Tensors.fromFloats(new float[6 * 3 * 4 * 4], 6, 3, 4, 4), 2, 3);
      Tensor back = Images.read(png, Images.ColorMode.AS_STORED);
      assertThat(Tensors.shape(back)).containsExactly(3, 2 * 6 + 2, 3 * 6 + 2);
    }
  }

  @Test
  void annotationsRoundTripThroughCocoInstancesJsonAndPngMasks() throws IOException {
    Path dir = tmp.resolve("annotated");
    dev.distill.api.annotation.AnnotationSet annotations =
        RandomAnnotations.of(new Random(5), 7, 5, 6);
    try (DistilledSet plain = randomSet(2, 1, false);
        DistilledSet set =
            new DistilledSet(
                plain.images().clone(),
                plain.labels(),
                null,
                plain.classNames(),
                PROVENANCE,
                annotations)) {
      DistilledSetIO.save(set, dir);
      try (DistilledSet back = DistilledSetIO.load(dir)) {
        assertThat(back.annotations()).contains(annotations);
        assertThat(back.labels()).isEqualTo(set.labels());
      }
    }
    JsonNode manifest = new ObjectMapper().readTree(dir.resolve(DistilledSetIO.MANIFEST).toFile());
    assertThat(manifest.get("annotations").asText()).isEqualTo("instances.json");
    assertThat(manifest.get("annotations_sha256").asText()).hasSize(64);
    JsonNode coco = new ObjectMapper().readTree(dir.resolve("instances.json").toFile());
    assertThat(coco.get("images").get(1).get("file_name").asText())
        .isEqualTo(manifest.get("files").get(1).get("file").asText());
    assertThat(coco.get("images").get(1).get("width").asInt()).isEqualTo(5);
    assertThat(coco.get("images").get(1).get("height").asInt()).isEqualTo(6);
  }

  @Test
  void aSetWithoutAnnotationsWritesNoCocoFile() throws IOException {
    Path dir = tmp.resolve("plain");
    try (DistilledSet set = randomSet(3, 1, false)) {
      DistilledSetIO.save(set, dir);
    }
    assertThat(dir.resolve("instances.json")).doesNotExist();
    assertThat(dir.resolve("masks")).doesNotExist();
    try (DistilledSet back = DistilledSetIO.load(dir)) {
      assertThat(back.annotations()).isEmpty();
    }
  }

  @Test
  void anEditedCocoFileOfASetIsRefusedByItsChecksum() throws IOException {
    Path dir = tmp.resolve("edited");
    try (DistilledSet plain = randomSet(2, 1, false);
        DistilledSet set =
            new DistilledSet(
                plain.images().clone(),
                plain.labels(),
                null,
                plain.classNames(),
                PROVENANCE,
                RandomAnnotations.of(new Random(6), 7, 5, 6))) {
      DistilledSetIO.save(set, dir);
    }
    Path coco = dir.resolve("instances.json");
    Files.writeString(coco, Files.readString(coco).replace("\"width\" : 5", "\"width\" : 4"));
    assertThatThrownBy(() -> DistilledSetIO.load(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(coco.toString())
        .hasMessageContaining("the file is corrupted or was edited");
  }
}
