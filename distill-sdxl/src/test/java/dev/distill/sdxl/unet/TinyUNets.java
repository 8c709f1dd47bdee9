package dev.distill.sdxl.unet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.config.JsonConfig;
import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.internal.nn.ModelWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Small UNet configs and random-weight models for tests. */
final class TinyUNets {
  static final ObjectMapper JSON = new ObjectMapper();

  private TinyUNets() {}

  /**
   * A second tiny architecture, unlike the fixture's: three blocks [8, 16, 16], cross-attention in
   * the first two down blocks, per-block layers [1, 2, 1], 1×1-conv projections, one transformer
   * layer everywhere, 2 heads, text_time conditioning with 4-wide time sinusoids.
   */
  static ObjectNode threeBlockConfig() {
    ObjectNode c = JSON.createObjectNode();
    c.put("_class_name", "UNet2DConditionModel");
    c.put("act_fn", "silu");
    c.put("attention_head_dim", 2);
    c.putArray("block_out_channels").add(8).add(16).add(16);
    c.put("center_input_sample", false);
    c.put("cross_attention_dim", 12);
    c.putArray("down_block_types")
        .add("CrossAttnDownBlock2D")
        .add("CrossAttnDownBlock2D")
        .add("DownBlock2D");
    c.put("downsample_padding", 1);
    c.put("flip_sin_to_cos", true);
    c.put("freq_shift", 0);
    c.put("in_channels", 4);
    c.putArray("layers_per_block").add(1).add(2).add(1);
    c.put("mid_block_scale_factor", 1);
    c.put("norm_eps", 1e-5);
    c.put("norm_num_groups", 4);
    c.put("out_channels", 4);
    c.putArray("up_block_types")
        .add("UpBlock2D")
        .add("CrossAttnUpBlock2D")
        .add("CrossAttnUpBlock2D");
    c.put("use_linear_projection", false);
    c.put("transformer_layers_per_block", 1);
    c.put("addition_embed_type", "text_time");
    c.put("addition_time_embed_dim", 4);
    c.put("projection_class_embeddings_input_dim", 8 + 6 * 4);
    return c;
  }

  static UNetConfig parse(ObjectNode node) {
    return UNetConfig.from(JsonConfig.of("test config", node));
  }

  /** A randomly initialised model (seeded), in float32 on the CPU. */
  static UNet2DConditionModel random(ObjectNode node, long seed) {
    try (TensorScope scope = TensorScope.open()) {
      ModelWeights w =
          ModelWeights.generating("tiny unet", ScalarType.Float, new Device("cpu"), seed);
      return UNet2DConditionModel.of(parse(node), w);
    }
  }

  /**
   * Writes a diffusers-style component folder: {@code config.json} and {@code
   * diffusion_pytorch_model.safetensors} with the given weights.
   */
  static void writeFolder(
      Path dir, ObjectNode config, Map<String, org.bytedeco.pytorch.Tensor> weights)
      throws IOException {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("config.json"),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
    Safetensors.write(dir.resolve("diffusion_pytorch_model.safetensors"), weights, Map.of());
  }
}
