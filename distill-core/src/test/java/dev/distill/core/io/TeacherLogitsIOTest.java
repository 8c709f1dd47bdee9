package dev.distill.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.api.DistilledSet;
import dev.distill.api.RunProvenance;
import dev.distill.api.TeacherLogits;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stored teacher logits in {@code soft_labels.safetensors}: round trip and named errors. */
class TeacherLogitsIOTest {
  private static final List<String> CLASSES = List.of("a", "b", "c");
  private static final List<Integer> LABELS = List.of(0, 2, 1, 1, 0, 2, 2);
  private static final RunProvenance PROVENANCE =
      new RunProvenance(
          "d4m",
          Map.of("ipc", "2"),
          7L,
          "m",
          "0.1.0-SNAPSHOT",
          Instant.parse("2025-01-02T03:04:05Z"));
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static Tensor gaussian(Random r, int... shape) {
    int n = 1;
    long[] s = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      n *= shape[i];
      s[i] = shape[i];
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * 4);
    }
    return Tensors.fromFloats(v, s);
  }

  /** 7 images [1, 6, 5] with teacher logits [7, 3] at T = 2.5 (and, if asked, probabilities). */
  private static DistilledSet set(long seed, boolean probabilities) {
    Random r = new Random(seed);
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = scope.detach(gaussian(r, 7, 1, 6, 5).tanh());
      Tensor logits = scope.detach(gaussian(r, 7, 3));
      DistilledSet.Builder b =
          DistilledSet.builder(images, LABELS, CLASSES, PROVENANCE)
              .teacherLogits(TeacherLogits.of(logits, 2.5, "convnet-teacher@sha256:00ff"));
      if (probabilities) {
        b.softLabels(scope.detach(gaussian(r, 7, 3).softmax(1)));
      }
      return b.build();
    }
  }

  @Test
  void teacherLogitsRoundTripBitForBitWithTemperatureAndTeacher() throws IOException {
    Path dir = tmp.resolve("set");
    try (DistilledSet set = set(1, true)) {
      DistilledSetIO.save(set, dir);
      try (DistilledSet back = DistilledSetIO.load(dir)) {
        TeacherLogits t = back.teacherLogits().orElseThrow();
        assertThat(Tensors.maxAbsDiff(t.logits(), set.teacherLogits().get().logits())).isZero();
        assertThat(t.temperature()).isEqualTo(2.5);
        assertThat(t.teacherId()).isEqualTo("convnet-teacher@sha256:00ff");
        assertThat(Tensors.maxAbsDiff(back.softLabels().get(), set.softLabels().get())).isZero();
        assertThat(back.labels()).isEqualTo(LABELS);
      }
    }
  }

  @Test
  void theFileIsPlainSafetensorsWithDocumentedNamesAndMetadata() throws IOException {
    Path dir = tmp.resolve("set");
    try (DistilledSet set = set(2, false)) {
      DistilledSetIO.save(set, dir);
      try (Safetensors st = Safetensors.open(dir.resolve(DistilledSetIO.SOFT_LABELS));
          TensorScope scope = TensorScope.open()) {
        assertThat(st.names()).containsExactly("logits");
        assertThat(st.info("logits").dtype()).isEqualTo(SafetensorsDtype.F32);
        assertThat(Tensors.shape(st.tensor("logits"))).containsExactly(7, 3);
        assertThat(st.metadata())
            .containsEntry("temperature", "2.5")
            .containsEntry("teacher_id", "convnet-teacher@sha256:00ff")
            .containsEntry("rows", "manifest.json files")
            .containsEntry("format", "pt");
        // row i is the manifest's files[i]
        assertThat(Tensors.maxAbsDiff(st.tensor("logits"), set.teacherLogits().get().logits()))
            .isZero();
      }
      var manifest = JSON.readTree(dir.resolve(DistilledSetIO.MANIFEST).toFile());
      assertThat(manifest.get("soft_labels").asText()).isEqualTo("soft_labels.safetensors");
      assertThat(manifest.get("soft_labels_sha256").asText())
          .isEqualTo(CocoJson.sha256(Files.readAllBytes(dir.resolve("soft_labels.safetensors"))));
    }
  }

  @Test
  void aCorruptFileIsRefusedNamingTheChecksum() throws IOException {
    Path dir = tmp.resolve("set");
    try (DistilledSet set = set(3, false)) {
      DistilledSetIO.save(set, dir);
    }
    Path file = dir.resolve(DistilledSetIO.SOFT_LABELS);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 3] ^= 0x40;
    Files.write(file, bytes);
    assertThatThrownBy(() -> DistilledSetIO.load(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("soft labels " + file)
        .hasMessageContaining("SHA-256");
  }

  @Test
  void logitsWithTheWrongNumberOfRowsAreANamedError() throws IOException {
    assertReplacedFileRefused(Map.of("temperature", "2.5", "teacher_id", "t"), 6, 3, "[7, 3]");
  }

  @Test
  void logitsWithTheWrongNumberOfClassesAreANamedError() throws IOException {
    assertReplacedFileRefused(Map.of("temperature", "2.5", "teacher_id", "t"), 7, 4, "[7, 4]");
  }

  @Test
  void logitsWithoutATemperatureAreANamedError() throws IOException {
    assertReplacedFileRefused(Map.of("teacher_id", "t"), 7, 3, "\"temperature\"");
  }

  @Test
  void aMissingSoftLabelFileIsANamedError() throws IOException {
    Path dir = tmp.resolve("set");
    try (DistilledSet set = set(4, false)) {
      DistilledSetIO.save(set, dir);
    }
    Files.delete(dir.resolve(DistilledSetIO.SOFT_LABELS));
    assertThatThrownBy(() -> DistilledSetIO.load(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("soft_labels.safetensors");
  }

  /** Replaces the file by a valid one (checksum updated in the manifest) and expects a refusal. */
  private void assertReplacedFileRefused(Map<String, String> meta, int n, int k, String expected)
      throws IOException {
    Path dir = tmp.resolve("set");
    try (DistilledSet set = set(5, false)) {
      DistilledSetIO.save(set, dir);
    }
    Path file = dir.resolve(DistilledSetIO.SOFT_LABELS);
    try (TensorScope scope = TensorScope.open()) {
      Files.delete(file);
      Safetensors.write(file, Map.of("logits", gaussian(new Random(9), n, k)), meta);
    }
    Path manifestFile = dir.resolve(DistilledSetIO.MANIFEST);
    ObjectNode manifest = (ObjectNode) JSON.readTree(manifestFile.toFile());
    manifest.put("soft_labels_sha256", CocoJson.sha256(Files.readAllBytes(file)));
    JSON.writeValue(manifestFile.toFile(), manifest);
    assertThatThrownBy(() -> DistilledSetIO.load(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("soft labels " + file)
        .hasMessageContaining(expected);
  }
}
