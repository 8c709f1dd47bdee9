package dev.distill.sdxl.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.config.JsonConfig;
import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.internal.nn.ModelWeights;
import dev.distill.sdxl.nn.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoencoderKLTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void oneThread() {
    Fixtures.useOneThread();
  }

  private static AutoencoderKL load(Path dir) throws IOException {
    try (TensorScope scope = TensorScope.open()) {
      return AutoencoderKL.load(dir, ScalarType.Float, new Device("cpu"));
    }
  }

  /** A copy of the fixture VAE folder whose weights went through {@code edit}. */
  private static void copyFixtureVae(
      Path dir, java.util.function.Consumer<Map<String, Tensor>> edit) throws IOException {
    Path src = Fixtures.sdxlTiny().resolve("vae");
    Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
    try (TensorScope scope = TensorScope.open();
        Safetensors st = Safetensors.open(src.resolve("diffusion_pytorch_model.safetensors"))) {
      Map<String, Tensor> w = new LinkedHashMap<>();
      for (String n : st.names()) {
        w.put(n, st.tensor(n));
      }
      edit.accept(w);
      Safetensors.write(dir.resolve("diffusion_pytorch_model.safetensors"), w, Map.of());
    }
  }

  @Test
  void legacyAttentionNamesAndConvShapedWeightsDecodeIdentically(@TempDir Path dir)
      throws Exception {
    copyFixtureVae(
        dir,
        w -> {
          for (String coder : new String[] {"encoder", "decoder"}) {
            String p = coder + ".mid_block.attentions.0.";
            String[][] renames = {
              {"to_q", "query"}, {"to_k", "key"}, {"to_v", "value"}, {"to_out.0", "proj_attn"}
            };
            for (String[] r : renames) {
              Tensor weight = w.remove(p + r[0] + ".weight");
              Tensor bias = w.remove(p + r[0] + ".bias");
              w.put(p + r[1] + ".weight", weight.view(weight.size(0), weight.size(1), 1, 1));
              w.put(p + r[1] + ".bias", bias);
            }
          }
        });
    Path root = Fixtures.sdxlTiny();
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        Safetensors cases = Safetensors.open(root.resolve("cases/vae.safetensors"));
        AutoencoderKL current = load(root.resolve("vae"));
        AutoencoderKL legacy = load(dir)) {
      assertThat(legacy.weights().names()).contains("decoder.mid_block.attentions.0.query.weight");
      Tensor latents = cases.tensor("vae.decode.latents");
      assertThat(Tensors.maxAbsDiff(legacy.decode(latents), current.decode(latents))).isZero();
      Tensor image = cases.tensor("vae.encode.image");
      assertThat(Tensors.maxAbsDiff(legacy.encode(image).mean(), current.encode(image).mean()))
          .isZero();
    }
  }

  @Test
  void sampleIsMeanPlusStdTimesGeneratorNoise() throws Exception {
    Path root = Fixtures.sdxlTiny();
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        Safetensors cases = Safetensors.open(root.resolve("cases/vae.safetensors"));
        AutoencoderKL vae = load(root.resolve("vae"))) {
      DiagonalGaussian dist = vae.encode(cases.tensor("vae.encode.image"));
      Tensor a = dist.sample(torch.createCPUGenerator(42));
      Tensor b = dist.sample(torch.createCPUGenerator(42));
      Tensor c = dist.sample(torch.createCPUGenerator(43));
      assertThat(Tensors.maxAbsDiff(a, b)).isZero();
      assertThat(Tensors.maxAbsDiff(a, c)).isGreaterThan(1e-3);
      Generator g = torch.createCPUGenerator(42);
      Tensor noise =
          torch.randn(
              Tensors.shape(dist.mean()),
              new GeneratorOptional(g),
              new TensorOptions(ScalarType.Float));
      assertThat(Tensors.maxAbsDiff(a, dist.mean().add(dist.std().mul(noise)))).isZero();
      assertThat(Tensors.maxAbsDiff(dist.mode(), dist.mean())).isZero();
      assertThat(vae.scalingFactor()).isEqualTo(0.18215);
      assertThat(vae.forceUpcast()).isTrue();
    }
  }

  @Test
  void configWithoutQuantConvsOrMidAttentionBuildsWithoutThoseWeights() {
    ObjectNode n = JSON.createObjectNode();
    n.put("act_fn", "silu");
    n.putArray("block_out_channels").add(8).add(16).add(16);
    n.putArray("down_block_types")
        .add("DownEncoderBlock2D")
        .add("DownEncoderBlock2D")
        .add("DownEncoderBlock2D");
    n.putArray("up_block_types")
        .add("UpDecoderBlock2D")
        .add("UpDecoderBlock2D")
        .add("UpDecoderBlock2D");
    n.put("in_channels", 3);
    n.put("out_channels", 3);
    n.put("latent_channels", 4);
    n.put("layers_per_block", 1);
    n.put("norm_num_groups", 4);
    n.put("use_quant_conv", false);
    n.put("use_post_quant_conv", false);
    n.put("mid_block_add_attention", false);
    VaeConfig config = VaeConfig.from(JsonConfig.of("test", n));
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        AutoencoderKL vae =
            AutoencoderKL.of(
                config, ModelWeights.generating("vae", ScalarType.Float, new Device("cpu"), 5))) {
      assertThat(vae.weights().names())
          .noneMatch(k -> k.contains("quant_conv") || k.contains("attentions"));
      assertThat(vae.weights().names()).contains("decoder.up_blocks.2.resnets.1.conv2.weight");
      Tensor image = torch.zeros(2, 3, 12, 20);
      DiagonalGaussian dist = vae.encode(image);
      assertThat(Tensors.shape(dist.mean())).containsExactly(2, 4, 3, 5);
      assertThat(Tensors.shape(vae.decode(dist.mean()))).containsExactly(2, 3, 12, 20);
    }
  }

  @Test
  void badInputsAreRefused(@TempDir Path dir) throws Exception {
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        AutoencoderKL vae = load(Fixtures.sdxlTiny().resolve("vae"))) {
      assertThatThrownBy(() -> vae.encode(torch.zeros(1, 3, 1, 8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("images must be at least 2 x 2 pixels");
      assertThatThrownBy(() -> vae.encode(torch.zeros(1, 4, 8, 8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("images must have shape [*, 3, *, *] but had [1, 4, 8, 8]");
      assertThatThrownBy(() -> vae.decode(torch.zeros(1, 3, 8, 8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("latents must have shape [*, 4, *, *]");
      assertThatThrownBy(() -> vae.decode(torch.zeros(1, 4, 8, 8).to(ScalarType.Double)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dtype");
    }
    Files.copy(Fixtures.sdxlTiny().resolve("vae/config.json"), dir.resolve("config.json"));
    Files.write(dir.resolve("diffusion_pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("safetensors only");
  }

  @Test
  void missingAttentionWeightIsNamedByItsCurrentName(@TempDir Path dir) throws Exception {
    copyFixtureVae(dir, w -> w.remove("encoder.mid_block.attentions.0.to_q.weight"));
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'encoder.mid_block.attentions.0.to_q.weight'")
        .hasMessageContaining("missing");
  }
}
