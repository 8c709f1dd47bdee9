package dev.distill.sdxl.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.nn.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNetBadInputTest {

  @BeforeAll
  static void oneThread() {
    Fixtures.useOneThread();
  }

  /** Writes the three-block model with random weights after {@code edit} changed the map. */
  private static void writeEdited(Path dir, ObjectNode config, Consumer<Map<String, Tensor>> edit)
      throws IOException {
    try (UNet2DConditionModel unet = TinyUNets.random(TinyUNets.threeBlockConfig(), 1)) {
      Map<String, Tensor> weights = new LinkedHashMap<>(unet.weights().tensors());
      edit.accept(weights);
      TinyUNets.writeFolder(dir, config, weights);
    }
  }

  private static UNet2DConditionModel load(Path dir) throws IOException {
    try (TensorScope scope = TensorScope.open()) {
      return UNet2DConditionModel.load(dir, ScalarType.Float, new Device("cpu"));
    }
  }

  @Test
  void missingWeightIsNamed(@TempDir Path dir) throws Exception {
    String name = "mid_block.attentions.0.proj_in.weight";
    try (TensorScope scope = TensorScope.open()) {
      writeEdited(dir, TinyUNets.threeBlockConfig(), w -> w.remove(name));
    }
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + name + "'")
        .hasMessageContaining("missing");
  }

  @Test
  void wrongShapedWeightNamesBothShapes(@TempDir Path dir) throws Exception {
    try (TensorScope scope = TensorScope.open()) {
      writeEdited(
          dir, TinyUNets.threeBlockConfig(), w -> w.put("conv_in.weight", torch.zeros(8, 4, 1, 1)));
    }
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'conv_in.weight'")
        .hasMessageContaining("[8, 4, 3, 3]")
        .hasMessageContaining("[8, 4, 1, 1]");
  }

  @Test
  void weightsTheConfigDoesNotUseAreListed(@TempDir Path dir) throws Exception {
    // Weights of a model with 2 transformer layers per block, config says 1.
    ObjectNode deeper = TinyUNets.threeBlockConfig();
    deeper.put("transformer_layers_per_block", 2);
    try (TensorScope scope = TensorScope.open();
        UNet2DConditionModel unet = TinyUNets.random(deeper, 2)) {
      TinyUNets.writeFolder(dir, TinyUNets.threeBlockConfig(), unet.weights().tensors());
    }
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be used")
        .hasMessageContaining("down_blocks.0.attentions.0.transformer_blocks.1.");
  }

  @Test
  void missingConfigKeyIsNamed(@TempDir Path dir) throws Exception {
    ObjectNode config = TinyUNets.threeBlockConfig();
    config.remove("cross_attention_dim");
    try (TensorScope scope = TensorScope.open()) {
      writeEdited(dir, config, w -> {});
    }
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config.json")
        .hasMessageContaining("'cross_attention_dim'");
  }

  @Test
  void pickleOnlyFolderIsRefused(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("config.json"),
        TinyUNets.JSON.writeValueAsString(TinyUNets.threeBlockConfig()));
    Files.write(dir.resolve("diffusion_pytorch_model.bin"), new byte[] {(byte) 0x80, 2, 'c'});
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("diffusion_pytorch_model.bin")
        .hasMessageContaining("safetensors only");
  }

  @Test
  void malformedInputsAreRefusedWithTheirShapes() {
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        UNet2DConditionModel unet = TinyUNets.random(TinyUNets.threeBlockConfig(), 3)) {
      Tensor[] in = UNetStructureTest.inputs(1, 2, 8, 8);
      Tensor sample = in[0];
      Tensor t = in[1];
      Tensor ctx = in[2];
      Tensor text = in[3];
      Tensor ids = in[4];
      // latent with the wrong channel count / rank / size
      assertThatThrownBy(() -> unet.forward(torch.zeros(2, 3, 8, 8), t, ctx, text, ids))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sample must have shape [*, 4, *, *] but had [2, 3, 8, 8]");
      assertThatThrownBy(() -> unet.forward(torch.zeros(2, 4, 64), t, ctx, text, ids))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sample must have shape");
      assertThatThrownBy(() -> unet.forward(torch.zeros(2, 4, 0, 8), t, ctx, text, ids))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("height and width");
      // dtype
      assertThatThrownBy(() -> unet.forward(sample.to(ScalarType.Double), t, ctx, text, ids))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dtype");
      // timestep count, text token width, batch mismatch
      assertThatThrownBy(
              () ->
                  unet.forward(
                      sample, Tensors.fromFloats(new float[] {1, 2, 3}, 3), ctx, text, ids))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("timestep");
      assertThatThrownBy(() -> unet.forward(sample, t, torch.zeros(2, 5, 7), text, ids))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cross_attention_dim");
      assertThatThrownBy(() -> unet.forward(sample, t, ctx.narrow(0, 0, 1), text, ids))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("encoderHiddenStates must have shape [2, *, *]");
      // added conditioning
      assertThatThrownBy(() -> unet.forward(sample, t, ctx))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("text_time");
      assertThatThrownBy(() -> unet.forward(sample, t, ctx, text, ids.narrow(1, 0, 5)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("projection_class_embeddings_input_dim 32");
      // and the valid call works
      assertThat(Tensors.shape(unet.forward(sample, t, ctx, text, ids)))
          .containsExactly(2, 4, 8, 8);
    }
  }
}
