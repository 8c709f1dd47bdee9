package dev.distill.sdxl.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.nn.Fixtures;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A second tiny architecture, built from its config with random weights. */
class UNetStructureTest {

  @BeforeAll
  static void oneThread() {
    Fixtures.useOneThread();
  }

  static Tensor randn(Generator g, long... shape) {
    return torch.randn(shape, new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
  }

  /** The inputs of a text_time UNet with cross dim 12, 8-wide pooled embeddings, 6 time ids. */
  static Tensor[] inputs(long seed, long batch, long h, long w) {
    Generator g = torch.createCPUGenerator(seed);
    Tensor sample = randn(g, batch, 4, h, w);
    java.util.Random r = new java.util.Random(seed);
    float[] ts = new float[(int) batch];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = (float) (r.nextDouble() * 999);
    }
    Tensor t = Tensors.fromFloats(ts, batch);
    Tensor context = randn(g, batch, 5, 12);
    Tensor text = randn(g, batch, 8);
    Tensor ids = Tensors.fromFloats(new float[] {64, 64, 0, 0, 64, 64, 48, 32, 8, 4, 64, 64}, 2, 6);
    if (batch != 2) {
      ids = ids.narrow(0, 0, 1).expand(batch, 6).contiguous();
    }
    return new Tensor[] {sample, t, context, text, ids};
  }

  @Test
  void threeBlockConfigRunsFromSafetensorsWrittenWithRandomWeights(@TempDir Path dir)
      throws Exception {
    ObjectNode config = TinyUNets.threeBlockConfig();
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        UNet2DConditionModel generated = TinyUNets.random(config, 7)) {
      Map<String, Tensor> weights = generated.weights().tensors();
      // The names and shapes diffusers gives this architecture (spot checks).
      assertThat(Tensors.shape(weights.get("down_blocks.0.attentions.0.proj_in.weight")))
          .containsExactly(8, 8, 1, 1);
      assertThat(Tensors.shape(weights.get("up_blocks.0.resnets.0.conv1.weight")))
          .containsExactly(16, 32, 3, 3);
      assertThat(Tensors.shape(weights.get("up_blocks.1.resnets.2.conv_shortcut.weight")))
          .containsExactly(16, 24, 1, 1);
      assertThat(
              Tensors.shape(
                  weights.get("up_blocks.2.attentions.1.transformer_blocks.0.attn2.to_k.weight")))
          .containsExactly(8, 12);
      assertThat(
              Tensors.shape(
                  weights.get("mid_block.attentions.0.transformer_blocks.0.ff.net.0.proj.weight")))
          .containsExactly(128, 16);
      assertThat(Tensors.shape(weights.get("add_embedding.linear_1.weight")))
          .containsExactly(32, 32);
      assertThat(weights)
          .doesNotContainKeys(
              "down_blocks.2.attentions.0.norm.weight",
              "up_blocks.0.attentions.0.norm.weight",
              "down_blocks.2.downsamplers.0.conv.weight",
              "up_blocks.2.upsamplers.0.conv.weight");
      assertThat(weights.keySet())
          .filteredOn(k -> k.startsWith("up_blocks.1.resnets.") && k.endsWith(".conv1.weight"))
          .hasSize(3);
      TinyUNets.writeFolder(dir, config, weights);

      Tensor[] in = inputs(11, 2, 16, 16);
      Tensor expected = generated.forward(in[0], in[1], in[2], in[3], in[4]);
      try (UNet2DConditionModel loaded =
          UNet2DConditionModel.load(dir, ScalarType.Float, new Device("cpu"))) {
        Tensor out = loaded.forward(in[0], in[1], in[2], in[3], in[4]);
        assertThat(Tensors.shape(out)).containsExactly(2, 4, 16, 16);
        assertThat(Tensors.hasNonFinite(out)).isFalse();
        assertThat(Tensors.maxAbsDiff(out, expected)).isZero();
        assertThat(out.abs().max().item_double()).isGreaterThan(1e-3);
      }
    }
  }

  @Test
  void latentSizesNotMultipleOfTheUpsamplingFactorKeepTheirShapeAsInDiffusers() {
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        UNet2DConditionModel unet = TinyUNets.random(TinyUNets.threeBlockConfig(), 3)) {
      for (long[] hw : new long[][] {{9, 7}, {5, 13}, {1, 1}}) {
        Tensor[] in = inputs(5, 2, hw[0], hw[1]);
        Tensor out = unet.forward(in[0], in[1], in[2], in[3], in[4]);
        assertThat(Tensors.shape(out)).containsExactly(2, 4, hw[0], hw[1]);
        assertThat(Tensors.hasNonFinite(out)).isFalse();
      }
    }
  }

  @Test
  void modelWithoutAddedConditioningTakesOnlyTextTokens() {
    ObjectNode config = TinyUNets.threeBlockConfig();
    config.putNull("addition_embed_type");
    config.put("center_input_sample", true);
    config.put("flip_sin_to_cos", false);
    config.put("freq_shift", 1);
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        UNet2DConditionModel unet = TinyUNets.random(config, 4)) {
      assertThat(unet.weights().names()).noneMatch(n -> n.startsWith("add_embedding"));
      Tensor[] in = inputs(6, 2, 8, 8);
      Tensor out = unet.forward(in[0], Tensors.fromFloats(new float[] {500f}), in[2]);
      assertThat(Tensors.shape(out)).containsExactly(2, 4, 8, 8);
      assertThatThrownBy(() -> unet.forward(in[0], in[1], in[2], in[3], in[4]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("textEmbeds");
    }
  }

  static Stream<Long> seeds() {
    long base = Long.getLong("distill.seed", 20240501L);
    return Stream.iterate(base, s -> s + 1).limit(6);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void batchedForwardEqualsPerSampleForwards(long seed) {
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        UNet2DConditionModel unet = TinyUNets.random(TinyUNets.threeBlockConfig(), seed)) {
      Tensor[] in = inputs(seed, 2, 8, 8);
      Tensor both = unet.forward(in[0], in[1], in[2], in[3], in[4]);
      for (int i = 0; i < 2; i++) {
        Tensor one =
            unet.forward(
                in[0].narrow(0, i, 1),
                in[1].narrow(0, i, 1),
                in[2].narrow(0, i, 1),
                in[3].narrow(0, i, 1),
                in[4].narrow(0, i, 1));
        assertThat(Tensors.maxAbsDiff(one, both.narrow(0, i, 1))).isLessThan(1e-5);
      }
      Tensor again = unet.forward(in[0], in[1], in[2], in[3], in[4]);
      assertThat(Tensors.maxAbsDiff(again, both)).isZero();
    }
  }
}
