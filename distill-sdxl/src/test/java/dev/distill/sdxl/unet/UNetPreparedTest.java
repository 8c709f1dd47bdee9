package dev.distill.sdxl.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.nn.Fixtures;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The per-run added embedding: {@code forwardPrepared} must equal {@code forward} exactly. */
class UNetPreparedTest {

  @BeforeAll
  static void oneThread() {
    Fixtures.useOneThread();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void preparedForwardEqualsForward(long seed) {
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        UNet2DConditionModel unet = TinyUNets.random(TinyUNets.threeBlockConfig(), seed)) {
      Tensor[] in = UNetStructureTest.inputs(seed, 2, 8, 8);
      Tensor expected = unet.forward(in[0], in[1], in[2], in[3], in[4]);
      Tensor added = unet.addedEmbedding(in[3], in[4]);
      assertThat(added.size(1)).isEqualTo(unet.config().timeEmbedDim());
      // the same embedding serves several steps (timesteps)
      Tensor actual = unet.forwardPrepared(in[0], in[1], in[2], added);
      assertThat(actual.equal(expected)).isTrue();
      Tensor otherT = torch.full(new long[] {}, new org.bytedeco.pytorch.Scalar(17.0));
      assertThat(
              unet.forwardPrepared(in[0], otherT, in[2], added)
                  .equal(unet.forward(in[0], otherT, in[2], in[3], in[4])))
          .isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {4})
  void badPreparedInputsAreNamed(long seed) {
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        UNet2DConditionModel unet = TinyUNets.random(TinyUNets.threeBlockConfig(), seed)) {
      Tensor[] in = UNetStructureTest.inputs(seed, 2, 8, 8);
      assertThatThrownBy(() -> unet.forwardPrepared(in[0], in[1], in[2], null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("addedEmbedding must be given");
      Tensor wrong = torch.zeros(2, unet.config().timeEmbedDim() + 1);
      assertThatThrownBy(() -> unet.forwardPrepared(in[0], in[1], in[2], wrong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("addedEmbedding");
      assertThatThrownBy(() -> unet.addedEmbedding(in[3], torch.zeros(2, 5)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("projection_class_embeddings_input_dim");
    }
    ObjectNode plain = TinyUNets.threeBlockConfig();
    plain.remove("addition_embed_type");
    plain.remove("addition_time_embed_dim");
    plain.remove("projection_class_embeddings_input_dim");
    try (TensorScope scope = TensorScope.open();
        UNet2DConditionModel unet = TinyUNets.random(plain, seed)) {
      assertThatThrownBy(() -> unet.addedEmbedding(torch.zeros(1, 8), torch.zeros(1, 6)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("text_time");
    }
  }
}
