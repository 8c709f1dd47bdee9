package dev.distill.sdxl.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipTextModelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ClipTextModel te1;
  private static ClipTextModel te2;

  @BeforeAll
  static void load() throws IOException {
    te1 = ClipTextModel.load(te(1));
    te2 = ClipTextModel.load(te(2));
  }

  @AfterAll
  static void close() {
    te1.close();
    te2.close();
  }

  private static Path te(int n) {
    return Fixtures.sdxlTiny().resolve(n == 1 ? "text_encoder" : "text_encoder_2");
  }

  /** The fixture's input ids for encoder {@code n} ({@code [6, 77]}), in the current scope. */
  private static Tensor fixtureIds(int n) throws IOException {
    try (Safetensors st =
        Safetensors.open(Fixtures.sdxlTiny().resolve("cases/text_encoders.safetensors"))) {
      return st.tensor("te" + n + ".input_ids");
    }
  }

  @Test
  void bf16PathRunsOnCpuAndStaysCloseToFp32() throws IOException {
    try (TensorScope s = TensorScope.open();
        ClipTextModel bf16 = ClipTextModel.load(te(2), ScalarType.BFloat16, new Device("cpu"))) {
      Tensor ids = fixtureIds(2);
      ClipTextOutput ref = te2.forward(ids);
      ClipTextOutput low = bf16.forward(ids);
      assertThat(low.penultimate().scalar_type().value).isEqualTo(ScalarType.BFloat16.value);
      for (Tensor[] pair :
          new Tensor[][] {
            {low.penultimate(), ref.penultimate()},
            {low.textEmbeds().orElseThrow(), ref.textEmbeds().orElseThrow()}
          }) {
        double scale = pair[1].abs().max().item_double();
        double err = Tensors.maxAbsDiff(pair[0], pair[1]);
        System.out.printf(
            "bf16 vs fp32: max abs %.3e, max |ref| %.3e, relative %.3e%n", err, scale, err / scale);
        assertThat(Tensors.hasNonFinite(pair[0])).isFalse();
        assertThat(err).isLessThan(0.05 * scale);
      }
    }
  }

  @Test
  void hiddenStatesOfAPrefixEqualThePrefixOfTheHiddenStates() throws IOException {
    // The causal mask: position i only sees positions <= i.
    try (TensorScope s = TensorScope.open()) {
      ClipTextModel model = te1;
      Tensor ids = fixtureIds(1);
      ClipTextOutput full = model.forward(ids);
      ClipTextOutput prefix = model.forward(ids.narrow(1, 0, 12));
      assertThat(Tensors.shape(prefix.penultimate())).containsExactly(6, 12, 32);
      for (int layer = 0; layer < full.hiddenStates().size(); layer++) {
        assertThat(
                Tensors.maxAbsDiff(
                    prefix.hiddenState(layer), full.hiddenState(layer).narrow(1, 0, 12)))
            .isLessThan(1e-6);
      }
    }
  }

  @Test
  void rowsOfABatchAreEncodedIndependently() throws IOException {
    try (TensorScope s = TensorScope.open()) {
      ClipTextModel model = te2;
      Tensor ids = fixtureIds(2);
      ClipTextOutput batch = model.forward(ids);
      ClipTextOutput single = model.forward(ids.narrow(0, 4, 1));
      assertThat(Tensors.maxAbsDiff(single.penultimate(), batch.penultimate().narrow(0, 4, 1)))
          .isLessThan(1e-6);
      assertThat(
              Tensors.maxAbsDiff(
                  single.textEmbeds().orElseThrow(),
                  batch.textEmbeds().orElseThrow().narrow(0, 4, 1)))
          .isLessThan(1e-6);
    }
  }

  @Test
  void legacyEosIdPoolsAtTheHighestIdAndOtherwiseAtTheFirstEos(@TempDir Path dir)
      throws IOException {
    Path modern = copyComponent(te(1), dir.resolve("modern"), c -> c.put("eos_token_id", 817));
    // Highest id (900) at position 3, first 817 at position 2.
    long[] row = new long[77];
    row[0] = 816;
    row[1] = 320;
    row[2] = 817;
    row[3] = 900;
    try (TensorScope s = TensorScope.open();
        ClipTextModel eos = ClipTextModel.load(modern)) {
      ClipTextModel legacy = te1;
      assertThat(legacy.config().legacyEosPooling()).isTrue();
      assertThat(eos.config().legacyEosPooling()).isFalse();
      Tensor ids = Tensors.fromLongs(row, 1, 77);
      ClipTextOutput a = legacy.forward(ids);
      ClipTextOutput b = eos.forward(ids);
      assertThat(Tensors.maxAbsDiff(a.pooledOutput(), a.lastHiddenState().select(1, 3))).isZero();
      assertThat(Tensors.maxAbsDiff(b.pooledOutput(), b.lastHiddenState().select(1, 2))).isZero();
      // No eos at all: the first position, as torch's argmax over all-false does.
      row[2] = 5;
      ClipTextOutput c = eos.forward(Tensors.fromLongs(row, 1, 77));
      assertThat(Tensors.maxAbsDiff(c.pooledOutput(), c.lastHiddenState().select(1, 0))).isZero();
    }
  }

  @Test
  void quickGeluIsXTimesSigmoidOf1702X(@TempDir Path dir) throws IOException {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Tensors.fromFloats(new float[] {-3f, -0.5f, 0f, 0.7f, 4f}, 5);
      float[] y = Tensors.toFloats(ClipActivation.QUICK_GELU.apply(x));
      float[] xs = Tensors.toFloats(x);
      for (int i = 0; i < xs.length; i++) {
        assertThat((double) y[i])
            .isCloseTo(
                xs[i] / (1 + Math.exp(-1.702 * xs[i])), org.assertj.core.data.Offset.offset(1e-6));
      }
      Path quick = copyComponent(te(1), dir, c -> c.put("hidden_act", "quick_gelu"));
      try (ClipTextModel q = ClipTextModel.load(quick)) {
        ClipTextModel g = te1;
        assertThat(q.config().hiddenAct()).isEqualTo(ClipActivation.QUICK_GELU);
        Tensor ids = fixtureIds(1).narrow(0, 0, 2);
        assertThat(Tensors.maxAbsDiff(q.forward(ids).penultimate(), g.forward(ids).penultimate()))
            .isGreaterThan(1e-6);
      }
    }
  }

  @Test
  void configRoundTripsThroughJson() {
    for (ClipTextConfig c : java.util.List.of(te1.config(), te2.config())) {
      assertThat(ClipTextConfig.from(c.toJson(), !c.withProjection())).isEqualTo(c);
    }
    assertThat(te1.config().withProjection()).isFalse();
    assertThat(te2.config().withProjection()).isTrue();
    assertThat(te2.config().projectionDim()).isEqualTo(32);
  }

  @Test
  void unknownActivationIsRejectedWithItsName(@TempDir Path dir) throws IOException {
    Path bad = copyComponent(te(1), dir, c -> c.put("hidden_act", "relu"));
    assertThatThrownBy(() -> ClipTextModel.load(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hidden_act")
        .hasMessageContaining("relu")
        .hasMessageContaining("quick_gelu");
  }

  @Test
  void missingConfigFileIsNamed(@TempDir Path dir) throws IOException {
    Files.copy(te(1).resolve("model.safetensors"), dir.resolve("model.safetensors"));
    assertThatThrownBy(() -> ClipTextModel.load(dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(dir.resolve("config.json").toString());
  }

  @Test
  void missingConfigKeyIsNamed(@TempDir Path dir) throws IOException {
    Path bad = copyComponent(te(1), dir, c -> c.remove("intermediate_size"));
    assertThatThrownBy(() -> ClipTextModel.load(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("intermediate_size")
        .hasMessageContaining("config.json");
  }

  @Test
  void weightOfWrongShapeIsNamedWithBothShapes(@TempDir Path dir) throws IOException {
    copyComponent(te(2), dir, c -> {});
    Path file = dir.resolve("model.safetensors");
    try (TensorScope s = TensorScope.open()) {
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      try (Safetensors st = Safetensors.open(te(2).resolve("model.safetensors"))) {
        for (String n : st.names()) {
          tensors.put(n, st.tensor(n));
        }
      }
      tensors.put("text_model.encoder.layers.3.mlp.fc1.weight", torch.zeros(36, 32));
      Files.delete(file);
      Safetensors.write(file, tensors, Map.of());
    }
    assertThatThrownBy(() -> ClipTextModel.load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("text_model.encoder.layers.3.mlp.fc1.weight")
        .hasMessageContaining("[37, 32]")
        .hasMessageContaining("[36, 32]");
  }

  @Test
  void weightsTheConfigDoesNotUseAreReported(@TempDir Path dir) throws IOException {
    Path fewer = copyComponent(te(1), dir, c -> c.put("num_hidden_layers", 4));
    assertThatThrownBy(() -> ClipTextModel.load(fewer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("text_model.encoder.layers.4.mlp.fc1.weight");
  }

  @Test
  void invalidInputIdsAreRejected() throws IOException {
    try (TensorScope s = TensorScope.open()) {
      ClipTextModel model = te1;
      assertThatThrownBy(() -> model.forward(Tensors.fromLongs(new long[] {1, 1000}, 1, 2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[0, 1000)")
          .hasMessageContaining("1000 at [0, 1]");
      assertThatThrownBy(() -> model.forward(Tensors.fromLongs(new long[78], 1, 78)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("max_position_embeddings");
      assertThatThrownBy(() -> model.forward(Tensors.fromLongs(new long[3], 3)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[B, L]");
      assertThatThrownBy(() -> model.forward(Tensors.fromFloats(new float[3], 1, 3)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dtype");
    }
  }

  @Test
  void forwardRunsWithoutAutogradAndRestoresGradMode() throws IOException {
    try (TensorScope s = TensorScope.open()) {
      ClipTextModel model = te2;
      assertThat(GradMode.is_enabled()).isTrue();
      ClipTextOutput out = model.forward(fixtureIds(2));
      assertThat(GradMode.is_enabled()).isTrue();
      assertThat(out.penultimate().requires_grad()).isFalse();
      assertThat(out.hiddenStates()).hasSize(6);
      assertThat(out.hiddenState(-1)).isSameAs(out.hiddenStates().get(5));
    }
  }

  @Test
  void repeatedForwardPassesInScopesLeaveNoLivePointers() throws IOException {
    try (TensorScope outer = TensorScope.open()) {
      ClipTextModel model = te2;
      Tensor ids = fixtureIds(2).narrow(0, 0, 1);
      try (TensorScope warm = TensorScope.open()) {
        model.forward(ids);
      }
      long baseline = Pointer.totalCount();
      for (int i = 0; i < 3; i++) {
        try (TensorScope step = TensorScope.open()) {
          model.forward(ids);
        }
      }
      assertThat(Pointer.totalCount())
          .as("live native objects (the GC may free stray unscoped ones, a leak adds)")
          .isLessThanOrEqualTo(baseline);
    }
  }

  /** Copies a component folder, editing its config. */
  private static Path copyComponent(Path src, Path dst, Consumer<ObjectNode> edit)
      throws IOException {
    Files.createDirectories(dst);
    Files.copy(src.resolve("model.safetensors"), dst.resolve("model.safetensors"));
    ObjectNode config = (ObjectNode) JSON.readTree(src.resolve("config.json").toFile());
    edit.accept(config);
    Files.writeString(dst.resolve("config.json"), JSON.writeValueAsString(config));
    return dst;
  }
}
